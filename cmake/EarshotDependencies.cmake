# Every dependency is a Debian package; .ci/setup installs them.

find_package(JUCE 7.0.5 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# Debian's JUCE builds its audio formats against the system codecs, so anything
# that compiles juce_audio_formats must link them (otherwise the Standalone fails
# to link and the VST3/LV2 .so fails to load).
pkg_check_modules(EARSHOT_CODECS REQUIRED IMPORTED_TARGET
    flac vorbis vorbisfile vorbisenc ogg libpng libjpeg zlib)

# moodycamel::ReaderWriterQueue: the engine's event queue, and the peer the
# AudioTap benchmark measures against.
find_path(EARSHOT_READERWRITERQUEUE_INCLUDE_DIR readerwriterqueue/readerwriterqueue.h REQUIRED)
add_library(earshot_readerwriterqueue INTERFACE)
target_include_directories(earshot_readerwriterqueue SYSTEM INTERFACE "${EARSHOT_READERWRITERQUEUE_INCLUDE_DIR}")

# The engine's DSP: EBU R128 loudness and true peak, and the FFT.
pkg_check_modules(EARSHOT_DSP REQUIRED IMPORTED_TARGET libebur128 fftw3f)

# The catalog, and the approximate nearest-neighbour index (header-only).
pkg_check_modules(EARSHOT_SQLITE REQUIRED IMPORTED_TARGET sqlite3)
find_path(EARSHOT_HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED)
