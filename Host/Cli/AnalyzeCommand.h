#pragma once

#include <juce_core/juce_core.h>

#include <ostream>

namespace earshot::cli
{

/** `earshot analyze FILE... [--json]`: prints what the pipeline measured in each file.
    A file that cannot be analysed gets one line on `err` naming it; the others still run.
    @returns 0 when every file was analysed, 1 when any failed, 2 on a usage error. */
int analyze (const juce::StringArray& args, std::ostream& out, std::ostream& err);

} // namespace earshot::cli
