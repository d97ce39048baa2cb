#pragma once

#include "Cli/CommandLine.h"

#include <sstream>
#include <string>
#include <vector>

namespace earshot::test
{

/** What `earshot` printed and returned for one in-process run. */
struct CliResult
{
    int exitCode;
    std::string out, err;
};

/** Runs the `earshot` command line in this process with `args` (no program name). */
inline CliResult runCli (const std::vector<std::string>& args)
{
    juce::StringArray list;
    for (const auto& arg : args)
        list.add (juce::String (arg));
    std::ostringstream out, err;
    const auto code = cli::run (list, out, err);
    return { code, out.str(), err.str() };
}

} // namespace earshot::test
