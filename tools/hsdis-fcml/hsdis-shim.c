/*
 * HotSpot's disassembler plugin for JDK 9 and later, over Debian's libhsdis0-fcml, which exports
 * only the older entry point (decode_instructions, the code at its own address). JDK 25 looks up
 * decode_instructions_virtual; this forwards it. See README.md for building and use.
 */
#include <dlfcn.h>
#include <stdint.h>

typedef void *(*event_callback)(void *, const char *, void *);
typedef int (*printf_callback)(void *, const char *, ...);
typedef void *(*decode_fn)(void *, void *, event_callback, void *, printf_callback, void *, const char *);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_callback event, void *event_stream, printf_callback print,
                                  void *print_stream, const char *options, int newline) {
    static decode_fn decode;
    if (decode == 0) {
        void *library = dlopen("libhsdis.so.0", RTLD_NOW);
        if (library == 0) {
            return 0;
        }
        decode = (decode_fn) dlsym(library, "decode_instructions");
        if (decode == 0) {
            return 0;
        }
    }
    /* the JVM hands over code that lies at its own address, so the buffer is the code */
    (void) start_va;
    (void) end_va;
    (void) newline;
    return decode(buffer, buffer + length, event, event_stream, print, print_stream, options);
}
