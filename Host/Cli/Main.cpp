#include "Cli/CommandLine.h"

#include <iostream>
#include <unistd.h>

int main (int argc, char* argv[])
{
    juce::StringArray args;
    juce::String error;
    if (! earshot::cli::argumentsFromUtf8 (std::vector<std::string> (argv + 1, argv + argc), args, error))
    {
        std::cerr << "earshot: " << error << "\n";
        return 2;
    }

    // Progress only where a person is watching.
    return earshot::cli::run (args, std::cout, std::cerr, isatty (STDERR_FILENO) ? &std::cerr : nullptr);
}
