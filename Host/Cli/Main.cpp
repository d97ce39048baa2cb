#include "Cli/CommandLine.h"

#include <iostream>
#include <unistd.h>

int main (int argc, char* argv[])
{
    juce::StringArray args;
    for (int i = 1; i < argc; ++i)
        args.add (juce::String::fromUTF8 (argv[i]));

    // Progress only where a person is watching.
    return earshot::cli::run (args, std::cout, std::cerr, isatty (STDERR_FILENO) ? &std::cerr : nullptr);
}
