#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** Runs `earshot` with `args` (without the program name). Progress of long work
    goes to `progress` (nullptr: none).
    @returns the process exit code: 0 success, 1 a command failed, 2 a usage error. */
int run (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress = nullptr);

/** The text of `earshot --help`. */
juce::String helpText();

} // namespace earshot::cli
