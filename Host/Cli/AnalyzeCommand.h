#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** `earshot analyze FILE... [--json | --csv] [--frames] [--jobs N] [--only FAMILIES] [--silence-threshold DB]
    [--min-silence S]`: analyses the files in parallel and prints each one's summary (and with --frames,
    the frame series) in the order given; with --only, just those feature families. A file that cannot be analysed gets one
    line on `err` naming it; the others still run. Progress goes to `progress`
    (pass nullptr for none).
    @returns 0 when every file was analysed, 1 when any failed, 2 on a usage error. */
int analyze (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress);

/** The usage text of `earshot analyze`. */
juce::String analyzeUsage();

} // namespace earshot::cli
