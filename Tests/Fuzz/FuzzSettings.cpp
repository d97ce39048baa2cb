// The settings a user gives `earshot`: its command line, parsed and run by
// earshot::cli::run() as Host/Cli/Main.cpp does. The input is split into
// arguments at NUL bytes, as argv is.
//
// The option parsers (AnalyzeCommand.cpp's parse() and friends) are private to
// their commands, so the whole of run() is fuzzed, kept from touching real files:
//   - the process works in a new empty folder, and arguments that could name
//     anything outside it (a '/', a leading '~', "." or "..") end the run, so
//     every file argument is one that does not exist;
//   - the commands that open the user's catalog database (catalog, recommend,
//     feedback) are not run;
//   - output goes to memory, and progress nowhere.

#include "Cli/CommandLine.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerInitialize (int* argc, char*** argv);

namespace
{
char folder[] = "/tmp/earshot-fuzz-settings-XXXXXX";
}

extern "C" int LLVMFuzzerInitialize (int*, char***)
{
    if (mkdtemp (folder) == nullptr || chdir (folder) != 0)
        std::abort();
    // Nothing is ever written there, so the folder is still empty at exit.
    std::atexit ([] { rmdir (folder); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size)
{
    std::vector<std::string> raw;
    const std::string bytes (reinterpret_cast<const char*> (data), size);
    for (size_t start = 0; start <= bytes.size();)
    {
        auto end = bytes.find ('\0', start);
        if (end == std::string::npos)
            end = bytes.size();
        const auto arg = bytes.substr (start, end - start);
        if (arg.find ('/') != std::string::npos || arg.rfind ("~", 0) == 0 || arg == "." || arg == "..")
            return 0;
        raw.push_back (arg);
        start = end + 1;
    }
    if (raw.size() > 64)
        return 0;

    // The conversion `earshot`'s main() does: invalid UTF-8 must be refused, not read past.
    juce::StringArray args;
    juce::String error;
    if (! earshot::cli::argumentsFromUtf8 (raw, args, error))
    {
        if (error.isEmpty())
            __builtin_trap();
        return 0;
    }
    if (args[0] == "catalog" || args[0] == "recommend" || args[0] == "feedback")
        return 0;

    std::ostringstream out, err;
    const auto status = earshot::cli::run (args, out, err, nullptr);
    if (status < 0 || status > 2)
        __builtin_trap(); // exit codes are 0, 1 or 2
    if (status != 0 && err.str().empty())
        __builtin_trap(); // a failure always says why
    return 0;
}
