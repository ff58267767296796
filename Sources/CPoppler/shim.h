// poppler's GLib API (Debian: libpoppler-glib-dev), imported only by RedlineExtract's PDFText.
#include <poppler.h>

// GLib's g_object_unref takes a gpointer; these keep the casts out of Swift.
static inline void redline_poppler_unref(void *object) { if (object) g_object_unref(object); }
static inline void redline_gbytes_unref(GBytes *bytes) { if (bytes) g_bytes_unref(bytes); }
