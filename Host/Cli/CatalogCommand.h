#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** `earshot catalog add|list|stats|remove ...` (see catalogUsage()).
    @returns the exit code: 0 success, 1 failure, 2 usage error. */
int catalogCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress);
juce::String catalogUsage();

} // namespace earshot::cli
