// What `earshot` does when its output cannot be written: a full disk (/dev/full
// fails every write with ENOSPC) must not look like a finished report.

#include <juce_core/juce_core.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace
{
struct Outcome
{
    int exitCode = -1;
    std::string standardError;
};

/** Runs the built CLI through the shell with `redirect` applied to its standard output. */
Outcome runCli (const std::string& arguments, const std::string& redirect)
{
    const auto errors = juce::File::createTempFile ("earshot-stderr");
    const auto command = std::string ("'") + EARSHOT_CLI_PATH + "' " + arguments + " " + redirect + " 2>'" +
                         errors.getFullPathName().toStdString() + "'";
    const auto status = std::system (command.c_str());
    Outcome outcome;
    outcome.exitCode = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
    outcome.standardError = errors.loadFileAsString().trimEnd().toStdString();
    errors.deleteFile();
    return outcome;
}
} // namespace

TEST_CASE ("A report written to a full disk fails with the reason instead of exiting 0", "[cli][badinput]")
{
    const std::string tone = "'" EARSHOT_DEMO_DIR "/demo-tone.wav'";
    for (const auto* format : { "", "--json", "--csv --frames" })
    {
        INFO (format);
        const auto full = runCli ("analyze " + tone + " " + format, "> /dev/full");
        CHECK (full.exitCode == 1);
        CHECK (full.standardError == "earshot: cannot write the output: No space left on device");
    }

    // The same report to a file that can take it: exit 0, nothing on standard error, all of it there.
    const auto file = juce::File::createTempFile ("earshot-report.json");
    const auto written = runCli ("analyze " + tone + " --json", "> '" + file.getFullPathName().toStdString() + "'");
    CHECK (written.exitCode == 0);
    CHECK (written.standardError.empty());
    const auto report = juce::JSON::parse (file);
    CHECK (report.isArray());
    CHECK (report.size() == 1);
    file.deleteFile();
}

TEST_CASE ("A failed analysis keeps its own exit code when the output also fails", "[cli][badinput]")
{
    const auto outcome = runCli ("analyze /nonexistent.wav --json", "> /dev/full");
    CHECK (outcome.exitCode == 1);
    CHECK (juce::String (outcome.standardError).contains ("/nonexistent.wav"));
    CHECK (juce::String (outcome.standardError).endsWith ("earshot: cannot write the output: No space left on device"));
}
