// Marks the symbols libs3conn.so exports. Everything else, the CRT included,
// stays private to the library.
#pragma once

#if defined(_WIN32)
#define S3CONN_API
#else
#define S3CONN_API __attribute__((visibility("default")))
#endif
