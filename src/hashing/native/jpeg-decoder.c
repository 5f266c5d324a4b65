/*
 * JPEG → 8-bit RGB or grey pixels with the system's libjpeg-turbo, for the photo hash path
 * (src/hashing/native/jpeg.ts loads it; src/hashing/decode-image.ts uses it). The settings are
 * libjpeg's defaults, which Pillow (HMA's decoder) and sharp's libvips also use: the accurate
 * integer IDCT (JDCT_ISLOW) and fancy upsampling; so the pixels are the same bytes sharp gives
 * (test/hashing/native-jpeg.unit.test.ts checks every test JPEG). It exists because sharp's
 * decode of a 1024×768 JPEG costs about twice libjpeg's own (docs/HASHING-PERF.md).
 *
 * Strict as sharp is with `failOn: 'warning'`: a libjpeg warning (corrupt data, a truncated
 * file) is an error. Colour spaces other than YCbCr/RGB/grey, and precisions other than 8 bits,
 * are not decoded here: decode() returns null and the caller uses sharp.
 *
 * Runs inside the hash processes only (src/hashing/pool), like sharp: a hostile file that
 * makes libjpeg spin or allocate is bounded by the pool's time and memory limits.
 */
#include <node_api.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

struct strict_error {
  struct jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

static void on_error(j_common_ptr cinfo) {
  struct strict_error *err = (struct strict_error *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

/* Level -1 is a warning (corrupt data, premature end): fail on it, as sharp does with failOn 'warning'. */
static void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value set_number(napi_env env, napi_value obj, const char *name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
  return obj;
}

/* decode(bytes: Uint8Array, maxPixels: number): { data: Buffer, width, height, channels } | null */
static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_error(env, "decode(bytes, maxPixels)");
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  napi_value arraybuffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &arraybuffer, &offset) != napi_ok || type != napi_uint8_array) {
    return throw_error(env, "bytes must be a Uint8Array");
  }
  double max_pixels = 0;
  if (napi_get_value_double(env, argv[1], &max_pixels) != napi_ok) return throw_error(env, "maxPixels must be a number");

  struct jpeg_decompress_struct cinfo;
  struct strict_error err;
  volatile int created = 0; /* read after a longjmp back into this frame */
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_error;
  err.mgr.emit_message = on_message;
  err.message[0] = 0;
  if (setjmp(err.jump)) {
    if (created) jpeg_destroy_decompress(&cinfo);
    return throw_error(env, err.message[0] ? err.message : "JPEG decode failed");
  }
  jpeg_create_decompress(&cinfo);
  created = 1;
  jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)length);
  jpeg_read_header(&cinfo, TRUE);

  int channels = 0;
  if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) {
    cinfo.out_color_space = JCS_RGB;
    channels = 3;
  } else if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
    cinfo.out_color_space = JCS_GRAYSCALE;
    channels = 1;
  }
  if (channels == 0 || cinfo.data_precision != 8) {
    /* CMYK, YCCK, 12-bit …: sharp decodes these. */
    jpeg_destroy_decompress(&cinfo);
    napi_value null_value;
    napi_get_null(env, &null_value);
    return null_value;
  }
  if ((double)cinfo.image_width * (double)cinfo.image_height > max_pixels) {
    jpeg_destroy_decompress(&cinfo);
    return throw_error(env, "image exceeds the pixel limit");
  }
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&cinfo);

  size_t stride = (size_t)cinfo.output_width * (size_t)channels;
  size_t total = stride * (size_t)cinfo.output_height;
  /* Decoded straight into the Buffer handed back (garbage-collected if a longjmp abandons it). */
  napi_value buffer;
  void *pixels = NULL;
  if (napi_create_buffer(env, total > 0 ? total : 1, &pixels, &buffer) != napi_ok) {
    jpeg_destroy_decompress(&cinfo);
    return throw_error(env, "out of memory for the decoded image");
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = (unsigned char *)pixels + (size_t)cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  unsigned int width = cinfo.output_width;
  unsigned int height = cinfo.output_height;
  jpeg_destroy_decompress(&cinfo);

  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "data", buffer);
  set_number(env, out, "width", width);
  set_number(env, out, "height", height);
  set_number(env, out, "channels", channels);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn);
  napi_set_named_property(env, exports, "decode", fn);
  napi_value version;
  napi_create_int32(env, JPEG_LIB_VERSION, &version);
  napi_set_named_property(env, exports, "jpegLibVersion", version);
  return exports;
}
