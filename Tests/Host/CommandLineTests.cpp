#include "Cli/CommandLine.h"

#include <catch2/catch.hpp>

#include <juce_audio_formats/juce_audio_formats.h>

#include <sstream>

using namespace earshot;

namespace
{
struct Result
{
    int exitCode;
    std::string out, err;
};

Result run (std::initializer_list<const char*> args)
{
    juce::StringArray list;
    for (auto* arg : args)
        list.add (arg);
    std::ostringstream out, err;
    const auto code = cli::run (list, out, err);
    return { code, out.str(), err.str() };
}

/** Writes a 16-bit WAV of a sine of peak `amplitude` to a temporary file. */
juce::File writeSineWav (double sampleRate, int channels, int numSamples, float amplitude)
{
    auto file = juce::File::createTempFile (".wav");
    juce::AudioBuffer<float> buffer (channels, numSamples);
    for (int c = 0; c < channels; ++c)
        for (int i = 0; i < numSamples; ++i)
            buffer.setSample (c, i,
                              amplitude * std::sin (juce::MathConstants<float>::twoPi * 1000.0f *
                                                    static_cast<float> (i) / static_cast<float> (sampleRate)));

    juce::WavAudioFormat wav;
    std::unique_ptr<juce::AudioFormatWriter> writer (wav.createWriterFor (
        new juce::FileOutputStream (file), sampleRate, static_cast<unsigned int> (channels), 24, {}, 0));
    writer->writeFromAudioSampleBuffer (buffer, 0, numSamples);
    return file;
}
} // namespace

TEST_CASE ("earshot --version and --help", "[cli]")
{
    const auto version = run ({ "--version" });
    CHECK (version.exitCode == 0);
    CHECK (version.out == std::string ("earshot ") + EARSHOT_VERSION + "\n");

    const auto help = run ({ "--help" });
    CHECK (help.exitCode == 0);
    CHECK (help.out.find ("usage: earshot COMMAND") == 0);

    const auto nothing = run ({});
    CHECK (nothing.exitCode == 2);
    CHECK (nothing.err.find ("usage:") == 0);

    const auto unknown = run ({ "frobnicate" });
    CHECK (unknown.exitCode == 2);
    CHECK (unknown.err == "earshot: unknown command 'frobnicate' (see earshot --help)\n");
}

TEST_CASE ("earshot analyze measures a generated file's level through the pipeline", "[cli][analyze]")
{
    const auto file = writeSineWav (48000.0, 2, 48000, 0.5f);
    const auto result = run ({ "analyze", file.getFullPathName().toRawUTF8(), "--json" });
    file.deleteFile();

    REQUIRE (result.exitCode == 0);
    const auto json = juce::JSON::parse (juce::String (result.out));
    REQUIRE (json.isArray());
    const auto& report = json[0];
    CHECK (static_cast<double> (report["sampleRate"]) == 48000.0);
    CHECK (static_cast<int> (report["channels"]) == 2);
    CHECK (static_cast<double> (report["durationSeconds"]) == Approx (1.0));
    CHECK (static_cast<double> (report["levels"][0]["peakDbfs"]) == Approx (-6.02).margin (0.01));
    CHECK (static_cast<double> (report["levels"][1]["rmsDbfs"]) == Approx (-9.03).margin (0.01));
    CHECK (static_cast<int> (report["pipeline"]["blocksDropped"]) == 0);
    CHECK (static_cast<int> (report["pipeline"]["blocksAnalysed"]) == 12); // ceil(48000 / 4096)
}

TEST_CASE ("earshot analyze names each file it cannot read, finishes the others, and exits 1", "[cli][badinput]")
{
    const auto good = writeSineWav (44100.0, 1, 4410, 0.25f);
    const auto garbage = juce::File::createTempFile (".wav");
    garbage.replaceWithText ("RIFF but not really a wave file at all");
    const auto empty = juce::File::createTempFile (".flac");
    empty.create();

    const auto result = run ({ "analyze", "/nonexistent/missing.wav", garbage.getFullPathName().toRawUTF8(),
                               empty.getFullPathName().toRawUTF8(), good.getFullPathName().toRawUTF8() });

    CHECK (result.exitCode == 1);
    CHECK (result.err.find ("earshot: /nonexistent/missing.wav: no such file\n") != std::string::npos);
    CHECK (result.err.find ("earshot: " + garbage.getFullPathName().toStdString() +
                            ": not a supported audio file, or damaged\n") != std::string::npos);
    CHECK (result.err.find ("earshot: " + empty.getFullPathName().toStdString() + ": file is empty\n") !=
           std::string::npos);
    CHECK (result.err.find ("earshot: 3 of 4 files could not be analysed\n") != std::string::npos);
    CHECK (result.out.find (good.getFileName().toStdString()) == 0);

    good.deleteFile();
    garbage.deleteFile();
    empty.deleteFile();
}

TEST_CASE ("The earshot executable analyses the demo audio and reports failures in its exit code", "[cli][process]")
{
    juce::ChildProcess ok;
    REQUIRE (ok.start (juce::StringArray { EARSHOT_CLI_PATH, "analyze", EARSHOT_DEMO_DIR "/demo-groove.wav" }));
    const auto output = ok.readAllProcessOutput();
    CHECK (ok.getExitCode() == 0);
    CHECK (output.contains ("demo-groove.wav"));
    CHECK (output.contains ("0 dropped"));

    juce::ChildProcess missing;
    REQUIRE (missing.start (juce::StringArray { EARSHOT_CLI_PATH, "analyze", "/nonexistent.wav" }));
    missing.waitForProcessToFinish (30000);
    CHECK (missing.getExitCode() == 1);
}
