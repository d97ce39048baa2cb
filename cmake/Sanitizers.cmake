# PLACEHOLDER: sanitizer options, written by the owner of cmake/Sanitizers.cmake.
