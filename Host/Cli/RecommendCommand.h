#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** `earshot recommend FILE [-k N] [--json] [--db PATH]`. @returns the exit code. */
int recommendCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress);
juce::String recommendUsage();

/** `earshot feedback like|skip|played TRACK [--at SECONDS] [--db PATH]`. @returns the exit code. */
int feedbackCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err);
juce::String feedbackUsage();

} // namespace earshot::cli
