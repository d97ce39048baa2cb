#pragma once

#include <juce_core/juce_core.h>

#include <ostream>
#include <string>
#include <vector>

namespace earshot::cli
{

/** Runs `earshot` with `args` (without the program name). Progress of long work
    goes to `progress` (nullptr: none).
    @returns the process exit code: 0 success, 1 a command failed, 2 a usage error. */
int run (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress = nullptr);

/** Turns the process's arguments (after the program name) into strings. An
    argument that is not valid UTF-8 is refused with `error` set: JUCE's
    conversion would read past its end. Any thread. */
bool argumentsFromUtf8 (const std::vector<std::string>& raw, juce::StringArray& args, juce::String& error);

/** The text of `earshot --help`. */
juce::String helpText();

} // namespace earshot::cli
