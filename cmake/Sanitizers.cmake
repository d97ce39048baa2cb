# Sanitizer builds (as pamplejuce's cmake/Sanitizers.cmake): one option picks
# the sanitizer, and its flags go on the compile and link of every target made
# after this file is included, JUCE's sources included, so that instrumented and
# uninstrumented code never mix (TSan in particular misses races otherwise).
#
#   -DEARSHOT_SANITIZER=address   AddressSanitizer + UndefinedBehaviorSanitizer
#   -DEARSHOT_SANITIZER=thread    ThreadSanitizer
#
# Build each into its own directory: `bash .ci/sanitize address|thread` does
# that and runs the tests with the runtime options the project uses.

set(EARSHOT_SANITIZER "" CACHE STRING "Sanitizer to build with: empty (none), address (ASan+UBSan) or thread (TSan)")
set_property(CACHE EARSHOT_SANITIZER PROPERTY STRINGS "" address thread)

if(EARSHOT_SANITIZER STREQUAL "")
    return()
endif()

if(EARSHOT_SANITIZER STREQUAL "address")
    # Undefined behaviour stops the program (and so fails the test) instead of
    # printing a line that a passing test would hide.
    set(earshot_sanitizer_flags "-fsanitize=address,undefined -fno-sanitize-recover=undefined")
elseif(EARSHOT_SANITIZER STREQUAL "thread")
    set(earshot_sanitizer_flags "-fsanitize=thread")
else()
    message(FATAL_ERROR "EARSHOT_SANITIZER is '${EARSHOT_SANITIZER}'; use address, thread or leave it empty")
endif()

if(EARSHOT_FUZZ)
    message(FATAL_ERROR "EARSHOT_FUZZ builds its own sanitizers (ASan + libFuzzer); configure it without EARSHOT_SANITIZER")
endif()

# Frame pointers for whole stacks in reports; line tables (-g1) for file:line
# in them without the size of full debug information.
string(APPEND earshot_sanitizer_flags " -fno-omit-frame-pointer -g1")

message(STATUS "Earshot: building with ${earshot_sanitizer_flags}")
foreach(flags IN ITEMS CMAKE_C_FLAGS CMAKE_CXX_FLAGS)
    string(APPEND ${flags} " ${earshot_sanitizer_flags}")
endforeach()
foreach(flags IN ITEMS CMAKE_EXE_LINKER_FLAGS CMAKE_SHARED_LINKER_FLAGS CMAKE_MODULE_LINKER_FLAGS)
    string(APPEND ${flags} " ${earshot_sanitizer_flags}")
endforeach()
