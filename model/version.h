/* version.h - natcap's version, as printed by --version and written into
 * every output that names its generator (charts, reports, JSON, shards). */
#ifndef NATCAP_MODEL_VERSION_H
#define NATCAP_MODEL_VERSION_H

#define NATCAP_VERSION "0.1.0"

#endif
