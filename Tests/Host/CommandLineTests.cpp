#include "Cli/ArgumentReader.h"
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
    // Phase in double: in float, sin (2 pi 1000 t) loses precision within seconds.
    for (int c = 0; c < channels; ++c)
        for (int i = 0; i < numSamples; ++i)
            buffer.setSample (c, i, amplitude * static_cast<float> (std::sin (2.0 * M_PI * 1000.0 * i / sampleRate)));

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

TEST_CASE ("earshot analyze measures a generated file's loudness and level", "[cli][analyze]")
{
    // A stereo 1 kHz sine reads its peak level in LUFS (EBU Tech 3341): 0.5 -> -6.02.
    const auto file = writeSineWav (48000.0, 2, 48000 * 4, 0.5f);
    const auto result = run ({ "analyze", file.getFullPathName().toRawUTF8(), "--json" });
    file.deleteFile();

    REQUIRE (result.exitCode == 0);
    const auto json = juce::JSON::parse (juce::String (result.out));
    REQUIRE (json.isArray());
    const auto& report = json[0];
    CHECK (static_cast<double> (report["sampleRate"]) == 48000.0);
    CHECK (static_cast<int> (report["channels"]) == 2);
    CHECK (static_cast<double> (report["durationSeconds"]) == Approx (4.0));
    CHECK (static_cast<double> (report["loudness"]["integratedLufs"]) == Approx (-6.02).margin (0.1));
    CHECK (static_cast<double> (report["loudness"]["truePeakDbtp"]) == Approx (-6.02).margin (0.05));
    CHECK (static_cast<double> (report["levels"]["samplePeakDbfs"]) == Approx (-6.02).margin (0.01));
    CHECK (static_cast<double> (report["levels"]["channels"][0]["peakDbfs"]) == Approx (-6.02).margin (0.01));
    CHECK (static_cast<double> (report["levels"]["channels"][1]["rmsDbfs"]) == Approx (-9.03).margin (0.01));
    CHECK (static_cast<double> (report["spectrum"]["centroidHz"]["mean"]) == Approx (1000.0).epsilon (0.02));
    CHECK (report["frames"].isVoid());
}

TEST_CASE ("earshot analyze --frames gives the frame series, --csv gives rows", "[cli][analyze]")
{
    const auto file = writeSineWav (48000.0, 1, 48000, 0.25f);
    const auto path = file.getFullPathName().toStdString();

    const auto frames = run ({ "analyze", path.c_str(), "--json", "--frames" });
    REQUIRE (frames.exitCode == 0);
    const auto json = juce::JSON::parse (juce::String (frames.out));
    // 2048-sample windows every 512 samples at 48 kHz: one frame per full hop.
    CHECK (json[0]["frames"].size() == 48000 / 512);
    CHECK (static_cast<double> (json[0]["frames"][50]["centroidHz"]) == Approx (1000.0).epsilon (0.02));

    const auto csv = run ({ "analyze", path.c_str(), "--csv" });
    REQUIRE (csv.exitCode == 0);
    const auto lines = juce::StringArray::fromLines (juce::String (csv.out).trimEnd());
    REQUIRE (lines.size() == 2);
    CHECK (lines[0].startsWith ("file,format,sampleRate,channels,durationSeconds"));
    CHECK (lines[1].startsWith (juce::String (path) + ",WAV file,48000,1,1.0000"));

    const auto frameRows = run ({ "analyze", path.c_str(), "--csv", "--frames" });
    CHECK (juce::StringArray::fromLines (juce::String (frameRows.out).trimEnd()).size() == 1 + 48000 / 512);
    file.deleteFile();
}

TEST_CASE ("earshot analyze runs files in parallel and prints them in the order given", "[cli][analyze]")
{
    std::vector<juce::File> files;
    juce::StringArray args { "analyze", "--jobs", "3" };
    for (int i = 0; i < 6; ++i)
    {
        files.push_back (writeSineWav (44100.0, 1, 44100 + i * 4410, 0.1f * static_cast<float> (i + 1)));
        args.add (files.back().getFullPathName());
    }
    args.add ("--json");

    std::ostringstream out, err;
    REQUIRE (cli::run (args, out, err) == 0);
    const auto json = juce::JSON::parse (juce::String (out.str()));
    REQUIRE (json.size() == 6);
    for (int i = 0; i < 6; ++i)
    {
        CHECK (json[i]["file"].toString() == files[static_cast<size_t> (i)].getFullPathName());
        CHECK (static_cast<double> (json[i]["durationSeconds"]) == Approx (1.0 + 0.1 * i));
        CHECK (static_cast<double> (json[i]["levels"]["samplePeakDbfs"]) ==
               Approx (20.0 * std::log10 (0.1 * (i + 1))).margin (0.01));
    }
    for (auto& file : files)
        file.deleteFile();

    const auto badJobs = run ({ "analyze", "x.wav", "--jobs", "0" });
    CHECK (badJobs.exitCode == 2);
    CHECK (badJobs.err == "earshot analyze: --jobs needs a whole number of at least 1 (see earshot analyze --help)\n");
}

TEST_CASE ("earshot analyze --only levels prints levels and nothing else", "[cli][analyze][families]")
{
    // A stereo 1 kHz sine of peak 0.5 at 48 kHz: 48 samples a period, so the peaks are sampled exactly.
    const auto file = writeSineWav (48000.0, 2, 48000 * 2, 0.5f);
    const auto path = file.getFullPathName().toStdString();

    const auto result = run ({ "analyze", path.c_str(), "--json", "--only", "levels" });
    REQUIRE (result.exitCode == 0);
    const auto report = juce::JSON::parse (juce::String (result.out))[0];
    const auto& levels = report["levels"];
    CHECK (static_cast<double> (levels["samplePeakDbfs"]) == Approx (-6.02).margin (0.01));
    CHECK (static_cast<double> (levels["rmsDbfs"]) == Approx (-9.03).margin (0.01));
    CHECK (static_cast<double> (levels["crestFactorDb"]) == Approx (3.01).margin (0.01));
    REQUIRE (levels["channels"].size() == 2);
    const auto& left = levels["channels"][0];
    CHECK (static_cast<double> (left["minSample"]) == Approx (-0.5).margin (1e-4));
    CHECK (static_cast<double> (left["maxSample"]) == Approx (0.5).margin (1e-4));
    CHECK (static_cast<double> (left["rmsPeakDbfs"]) == Approx (-9.03).margin (0.01));
    CHECK (static_cast<double> (left["rmsTroughDbfs"]) == Approx (-9.03).margin (0.01));
    CHECK (static_cast<double> (left["crestFactorDb"]) == Approx (3.01).margin (0.01));
    CHECK (static_cast<double> (left["dcOffset"]) == Approx (0.0).margin (1e-4));
    for (const auto* absent : { "loudness", "rhythm", "timbreAndHarmony", "spectrum", "stereo", "descriptors",
                                "silences", "sectionChanges" })
    {
        INFO (absent);
        CHECK_FALSE (report.hasProperty (absent));
    }
    CHECK (report.hasProperty ("durationSeconds"));

    const auto text = run ({ "analyze", path.c_str(), "--only", "levels" });
    REQUIRE (text.exitCode == 0);
    CHECK (text.out.find ("  level      RMS -9.0 dBFS, sample peak -6.0 dBFS") != std::string::npos);
    CHECK (text.out.find ("LUFS") == std::string::npos);
    CHECK (text.out.find ("BPM") == std::string::npos);
    CHECK (juce::StringArray::fromLines (juce::String (text.out).trimEnd()).size() == 2);

    const auto csv = run ({ "analyze", path.c_str(), "--csv", "--only", "levels" });
    REQUIRE (csv.exitCode == 0);
    const auto rows = juce::StringArray::fromLines (juce::String (csv.out).trimEnd());
    REQUIRE (rows.size() == 2);
    CHECK (rows[0] == "file,format,sampleRate,channels,durationSeconds,samplePeakDbfs,rmsDbfs,dcOffset,clippedSamples,"
                      "crestFactorDb");
    CHECK (juce::StringArray::fromTokens (rows[1], ",", "\"").size() == 10);

    const auto frames = run ({ "analyze", path.c_str(), "--csv", "--frames", "--only", "loudness,levels" });
    REQUIRE (frames.exitCode == 0);
    const auto frameRows = juce::StringArray::fromLines (juce::String (frames.out).trimEnd());
    CHECK (frameRows[0] == "file,index,time,momentaryLufs,shortTermLufs,rmsDbfs,peakDbfs,truePeakDbtp,invalidInput");
    file.deleteFile();
}

TEST_CASE ("earshot analyze --only prints the same values as the full analysis", "[cli][analyze][families]")
{
    const auto file = writeSineWav (44100.0, 2, 44100 * 6, 0.3f);
    const auto path = file.getFullPathName().toStdString();
    const auto all = run ({ "analyze", path.c_str(), "--json" });
    const auto some = run ({ "analyze", path.c_str(), "--json", "--only", "descriptors,stereo" });
    file.deleteFile();
    REQUIRE (all.exitCode == 0);
    REQUIRE (some.exitCode == 0);
    const auto full = juce::JSON::parse (juce::String (all.out))[0];
    const auto part = juce::JSON::parse (juce::String (some.out))[0];

    // Descriptors are computed from loudness, rhythm and spectrum, which are not printed.
    CHECK (juce::JSON::toString (part["descriptors"]) == juce::JSON::toString (full["descriptors"]));
    CHECK (juce::JSON::toString (part["stereo"]) == juce::JSON::toString (full["stereo"]));
    CHECK (static_cast<double> (part["descriptors"]["energy"]) > 0.0);
    for (const auto* absent : { "levels", "loudness", "rhythm", "spectrum", "timbreAndHarmony", "silences" })
    {
        INFO (absent);
        CHECK_FALSE (part.hasProperty (absent));
    }
}

TEST_CASE ("earshot analyze --only refuses an unknown family, naming it and the valid ones", "[cli][badinput]")
{
    const auto unknown = run ({ "analyze", "x.wav", "--only", "levels,tempo" });
    CHECK (unknown.exitCode == 2);
    CHECK (unknown.out.empty());
    CHECK (unknown.err == "earshot analyze: --only: unknown feature family 'tempo'; valid families are levels, "
                          "loudness, spectrum, harmony, rhythm, stereo, descriptors, structure (see earshot analyze "
                          "--help)\n");

    const auto empty = run ({ "analyze", "x.wav", "--only", "," });
    CHECK (empty.exitCode == 2);
    CHECK (empty.err == "earshot analyze: --only needs a feature family: levels, loudness, spectrum, harmony, "
                        "rhythm, stereo, descriptors, structure (see earshot analyze --help)\n");

    const auto missing = run ({ "analyze", "x.wav", "--only" });
    CHECK (missing.exitCode == 2);
    CHECK (missing.err == "earshot analyze: --only needs a value (see earshot analyze --help)\n");

    const auto help = run ({ "analyze", "--help" });
    CHECK (help.out.find ("--only FAMILIES") != std::string::npos);
    CHECK (help.out.find ("descriptors need loudness") != std::string::npos);
}

TEST_CASE ("earshot analyze reports a truncated WAV instead of analysing silence", "[cli][badinput]")
{
    const auto file = writeSineWav (44100.0, 2, 44100, 0.5f);
    juce::MemoryBlock bytes;
    REQUIRE (file.loadFileAsData (bytes));
    REQUIRE (file.replaceWithData (bytes.getData(), bytes.getSize() / 2));

    const auto result = run ({ "analyze", file.getFullPathName().toRawUTF8() });
    CHECK (result.exitCode == 1);
    CHECK (result.err.find ("earshot: " + file.getFullPathName().toStdString() +
                            ": truncated: the header promises 1.00 s of audio that the file does not hold\n") !=
           std::string::npos);
    file.deleteFile();
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
    CHECK (output.contains ("LUFS integrated"));
    CHECK (output.contains ("BPM"));

    juce::ChildProcess missing;
    REQUIRE (missing.start (juce::StringArray { EARSHOT_CLI_PATH, "analyze", "/nonexistent.wav" }));
    missing.waitForProcessToFinish (30000);
    CHECK (missing.getExitCode() == 1);
}

TEST_CASE ("Arguments that are not valid UTF-8 are refused, not read past", "[cli][badinput]")
{
    // Found by FuzzSettings: JUCE's UTF-8 conversion read past such a string.
    juce::StringArray args;
    juce::String error;
    CHECK (cli::argumentsFromUtf8 ({ "analyze", "caf\xc3\xa9.wav" }, args, error));
    CHECK (args[1] == juce::String (juce::CharPointer_UTF8 ("caf\xc3\xa9.wav")));

    CHECK_FALSE (cli::argumentsFromUtf8 ({ "analyze", std::string ("\xff\xfe\xc3", 3) }, args, error));
    CHECK (error == "argument 2 is not valid UTF-8");
}

TEST_CASE ("ArgumentReader walks the arguments, takes option values and keeps the first error", "[cli]")
{
    const juce::StringArray args { "add", "--db", "x.db", "song.wav", "--bogus", "--jobs" };
    cli::ArgumentReader reader (args, 1);
    juce::StringArray seen;
    juce::String database, jobs;
    while (reader.next())
    {
        const auto& arg = reader.current();
        seen.add (arg);
        if (arg == "--db")
            database = reader.value();
        else if (arg == "--jobs")
            jobs = reader.value();
        else if (arg.startsWith ("-"))
            reader.refuse ("unknown option '" + arg + "'");
    }
    CHECK (seen == juce::StringArray { "--db", "song.wav", "--bogus", "--jobs" });
    CHECK (database == "x.db");
    CHECK (jobs.isEmpty());
    CHECK (reader.failed());
    // "--jobs needs a value" came second: the first problem is the one reported.
    CHECK (reader.error() == "unknown option '--bogus'");
    CHECK_FALSE (reader.next());
    CHECK_FALSE (reader.next());

    const juce::StringArray none;
    cli::ArgumentReader empty (none);
    CHECK_FALSE (empty.next());
    CHECK (empty.current().isEmpty());
    CHECK_FALSE (empty.failed());

    const juce::StringArray last { "--play" };
    cli::ArgumentReader missing (last);
    REQUIRE (missing.next());
    CHECK (missing.value().isEmpty());
    CHECK (missing.error() == "--play needs a value");
}
