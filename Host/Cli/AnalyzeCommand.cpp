#include "Cli/AnalyzeCommand.h"

#include "Cli/FileAnalysis.h"

#include <cmath>
#include <iomanip>

namespace earshot::cli
{
namespace
{
juce::var dbToJson (float db)
{
    // JSON has no infinity: digital silence is null.
    return std::isfinite (db) ? juce::var (std::round (static_cast<double> (db) * 100.0) / 100.0) : juce::var();
}

juce::String formatDb (float db)
{
    return std::isfinite (db) ? juce::String (db, 2) : juce::String ("-inf");
}

juce::var toJson (const FileReport& report)
{
    auto object = std::make_unique<juce::DynamicObject>();
    object->setProperty ("file", report.file.getFullPathName());
    object->setProperty ("format", report.formatName);
    object->setProperty ("sampleRate", report.sampleRate);
    object->setProperty ("channels", report.numChannels);
    object->setProperty ("durationSeconds", report.durationSeconds);

    juce::Array<juce::var> channels;
    for (int c = 0; c < std::min (report.snapshot.numChannels, Snapshot::maxChannels); ++c)
    {
        const auto& level = report.snapshot.levels[static_cast<size_t> (c)];
        auto channel = std::make_unique<juce::DynamicObject>();
        channel->setProperty ("rmsDbfs", dbToJson (level.overallRmsDb));
        channel->setProperty ("peakDbfs", dbToJson (level.overallPeakDb));
        channel->setProperty ("clippedSamples", static_cast<juce::int64> (level.clippedSamples));
        channels.add (juce::var (channel.release()));
    }
    object->setProperty ("levels", channels);

    const auto& health = report.snapshot.health;
    auto pipeline = std::make_unique<juce::DynamicObject>();
    pipeline->setProperty ("blocksAnalysed", static_cast<juce::int64> (health.blocksAnalysed));
    pipeline->setProperty ("blocksDropped", static_cast<juce::int64> (health.blocksDropped));
    pipeline->setProperty ("blocksWithInvalidSamples", static_cast<juce::int64> (health.blocksWithInvalidSamples));
    object->setProperty ("pipeline", juce::var (pipeline.release()));
    return juce::var (object.release());
}

void printText (const FileReport& report, std::ostream& out)
{
    out << report.file.getFileName() << "  (" << report.formatName << ", " << report.sampleRate << " Hz, "
        << report.numChannels << " ch, " << juce::String (report.durationSeconds, 2) << " s)\n";
    out << "  channel    rms dBFS   peak dBFS   clipped\n";
    for (int c = 0; c < std::min (report.snapshot.numChannels, Snapshot::maxChannels); ++c)
    {
        const auto& level = report.snapshot.levels[static_cast<size_t> (c)];
        out << "  " << std::left << std::setw (8) << (c + 1) << std::right << std::setw (11)
            << formatDb (level.overallRmsDb) << std::setw (12) << formatDb (level.overallPeakDb) << std::setw (10)
            << level.clippedSamples << "\n";
    }
    const auto& health = report.snapshot.health;
    out << "  pipeline: " << health.blocksAnalysed << " blocks analysed, " << health.blocksDropped << " dropped";
    if (health.blocksWithInvalidSamples > 0)
        out << ", " << health.blocksWithInvalidSamples << " with NaN/Inf samples";
    out << "\n";
}
} // namespace

int analyze (const juce::StringArray& args, std::ostream& out, std::ostream& err)
{
    bool json = false;
    juce::StringArray files;
    for (const auto& arg : args)
    {
        if (arg == "--json")
            json = true;
        else if (arg.startsWith ("-"))
        {
            err << "earshot analyze: unknown option '" << arg << "' (see earshot --help)\n";
            return 2;
        }
        else
            files.add (arg);
    }

    if (files.isEmpty())
    {
        err << "earshot analyze: no files given (usage: earshot analyze FILE... [--json])\n";
        return 2;
    }

    juce::AudioFormatManager formats;
    registerFormats (formats);

    juce::Array<juce::var> reports;
    int failed = 0;
    for (const auto& path : files)
    {
        const auto file = juce::File::getCurrentWorkingDirectory().getChildFile (path);
        juce::String error;
        const auto report = analyseFile (file, formats, error);
        if (! report.has_value())
        {
            err << "earshot: " << path << ": " << error << "\n";
            ++failed;
            continue;
        }

        if (json)
            reports.add (toJson (*report));
        else
            printText (*report, out);
    }

    if (json)
        out << juce::JSON::toString (juce::var (reports)) << "\n";

    if (failed > 0)
    {
        err << "earshot: " << failed << " of " << files.size() << " files could not be analysed\n";
        return 1;
    }
    return 0;
}

} // namespace earshot::cli
