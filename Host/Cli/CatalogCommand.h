#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** `earshot catalog add|list|stats|remove ...` (see catalogUsage()). Errors are one
    line on `err` naming the file; a progress line goes to `progress` during `add`
    (nullptr for none). During `add`, SIGINT and SIGTERM stop the scan after the files
    being analysed are written (a second one kills at once). Call on the main thread:
    it installs process-wide signal handlers for the length of the scan.
    @returns the exit code: 0 success, 1 failure (or some files unreadable), 2 usage
    error, 130 interrupted. */
int catalogCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress);
juce::String catalogUsage();

} // namespace earshot::cli
