: # run/fit sections (added below)
