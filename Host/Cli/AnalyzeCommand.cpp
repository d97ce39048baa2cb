#include "Cli/AnalyzeCommand.h"

#include "Cli/ArgumentReader.h"
#include "Cli/FileAnalysis.h"
#include "Cli/ReportFormat.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace earshot::cli
{
namespace
{
enum class Output
{
    text,
    json,
    csv
};

struct Options
{
    Output output = Output::text;
    bool frames = false;
    int jobs = 0;
    OfflineOptions analysis;
    juce::StringArray files;
    juce::String error;
};

/** The families of an --only list ("levels,loudness"); an unknown name is refused. */
FeatureFamilies parseFamilies (const juce::String& list, ArgumentReader& reader)
{
    auto families = FeatureFamilies::none();
    for (const auto& token : juce::StringArray::fromTokens (list, ",", ""))
    {
        const auto name = token.trim();
        if (name.isEmpty())
            continue;
        const auto family = FeatureFamilies::fromName (name.toStdString());
        if (! family.has_value())
        {
            reader.refuse ("--only: unknown feature family '" + name + "'; valid families are " +
                           juce::String (FeatureFamilies::validNames()));
            return FeatureFamilies::none();
        }
        families = families.with (*family);
    }
    if (families.isEmpty())
        reader.refuse ("--only needs a feature family: " + juce::String (FeatureFamilies::validNames()));
    return families;
}

Options parse (const juce::StringArray& args)
{
    Options options;
    auto only = FeatureFamilies::none();
    ArgumentReader reader (args);
    while (reader.next())
    {
        const auto& arg = reader.current();
        if (arg == "--json")
            options.output = Output::json;
        else if (arg == "--csv")
            options.output = Output::csv;
        else if (arg == "--frames")
            options.frames = true;
        else if (arg == "--jobs" || arg == "-j")
        {
            options.jobs = reader.value().getIntValue();
            if (options.jobs < 1)
                reader.refuse ("--jobs needs a whole number of at least 1");
        }
        else if (arg == "--only")
            only = only.with (parseFamilies (reader.value(), reader));
        else if (arg == "--silence-threshold")
            options.analysis.settings.silenceThresholdDbfs = reader.value().getFloatValue();
        else if (arg == "--min-silence")
        {
            options.analysis.settings.minSilenceSeconds = reader.value().getDoubleValue();
            if (options.analysis.settings.minSilenceSeconds <= 0.0)
                reader.refuse ("--min-silence needs a positive number of seconds");
        }
        else if (arg.startsWith ("-") && arg != "-")
            reader.refuse ("unknown option '" + arg + "'");
        else
            options.files.add (arg);
    }
    options.error = reader.error();
    options.analysis.keepFrames = options.frames;
    options.analysis.settings.families = only.isEmpty() ? FeatureFamilies::all() : only;
    return options;
}

struct Outcome
{
    std::optional<FileReport> report;
    juce::String error;
};
} // namespace

juce::String analyzeUsage()
{
    return "usage: earshot analyze FILE... [--json | --csv] [--frames] [--jobs N] [--only FAMILY[,FAMILY...]]\n"
           "                       [--silence-threshold DBFS] [--min-silence SECONDS]\n"
           "\n"
           "Analyses audio files (WAV, AIFF, FLAC, Ogg Vorbis, MP3) in parallel and prints, per file:\n"
           "loudness (EBU R128), level, tempo, key, spectrum, stereo image, descriptors, silences\n"
           "and section changes.\n"
           "\n"
           "  --json                one JSON array, an object per file\n"
           "  --csv                 one CSV row per file (with --frames: one row per frame)\n"
           "  --frames              also the frame series (about 86 frames per second)\n"
           "  --jobs N              files analysed at once (default: all cores)\n"
           "  --only FAMILIES       compute and print only these feature families (comma-separated,\n"
           "                        default all): levels, loudness, spectrum, harmony, rhythm,\n"
           "                        stereo, descriptors, structure. Families computed from others\n"
           "                        pull them in without printing them: descriptors need loudness,\n"
           "                        rhythm and spectrum; structure needs harmony\n"
           "  --silence-threshold   level below which audio counts as silent (default -60 dBFS)\n"
           "  --min-silence         shortest silence reported (default 2 s)\n";
}

int analyze (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress)
{
    auto options = parse (args);
    if (options.error.isNotEmpty())
    {
        err << "earshot analyze: " << options.error << " (see earshot analyze --help)\n";
        return 2;
    }
    if (options.files.isEmpty())
    {
        err << "earshot analyze: no files given (see earshot analyze --help)\n";
        return 2;
    }

    const auto numFiles = options.files.size();
    const auto jobs =
        std::min (numFiles, options.jobs > 0 ? options.jobs
                                             : static_cast<int> (std::max (1u, std::thread::hardware_concurrency())));
    std::vector<Outcome> outcomes (static_cast<size_t> (numFiles));
    std::atomic<int> next { 0 }, done { 0 };
    std::atomic<double> audioSeconds { 0.0 };
    std::mutex progressMutex;
    const auto started = std::chrono::steady_clock::now();

    auto worker = [&]
    {
        juce::AudioFormatManager formats;
        registerFormats (formats);
        for (int index = next++; index < numFiles; index = next++)
        {
            const auto& path = options.files[index];
            auto& outcome = outcomes[static_cast<size_t> (index)];
            outcome.report = analyseFile (juce::File::getCurrentWorkingDirectory().getChildFile (path), formats,
                                          options.analysis, outcome.error);
            if (outcome.report.has_value())
                audioSeconds = audioSeconds.load() + outcome.report->durationSeconds;

            const auto finished = ++done;
            if (progress != nullptr)
            {
                const std::lock_guard<std::mutex> lock (progressMutex);
                const auto elapsed = std::chrono::duration<double> (std::chrono::steady_clock::now() - started).count();
                const auto remaining = elapsed / finished * (numFiles - finished);
                *progress << "\r[" << finished << "/" << numFiles << "] "
                          << juce::String (audioSeconds.load() / std::max (elapsed, 1e-6), 0) << "x realtime, ETA "
                          << juce::String (remaining, 0) << " s   " << std::flush;
            }
        }
    };

    std::vector<std::thread> threads;
    for (int j = 1; j < jobs; ++j)
        threads.emplace_back (worker);
    worker();
    for (auto& thread : threads)
        thread.join();
    if (progress != nullptr)
        *progress << "\n";

    juce::Array<juce::var> json;
    if (options.output == Output::csv)
    {
        if (options.frames)
            ReportFormat::writeFramesCsvHeader (options.analysis.settings.families, out);
        else
            ReportFormat::writeSummaryCsvHeader (options.analysis.settings.families, out);
    }

    int failed = 0;
    for (int index = 0; index < numFiles; ++index)
    {
        const auto& outcome = outcomes[static_cast<size_t> (index)];
        if (! outcome.report.has_value())
        {
            err << "earshot: " << options.files[index] << ": " << outcome.error << "\n";
            ++failed;
            continue;
        }

        switch (options.output)
        {
            case Output::text:
                ReportFormat::writeText (*outcome.report, out);
                break;
            case Output::json:
                json.add (ReportFormat::toJson (*outcome.report));
                break;
            case Output::csv:
                if (options.frames)
                    ReportFormat::writeFramesCsvRows (*outcome.report, out);
                else
                    ReportFormat::writeSummaryCsvRow (*outcome.report, out);
                break;
        }
    }

    if (options.output == Output::json)
        out << juce::JSON::toString (juce::var (json), true) << "\n";

    if (failed > 0)
    {
        err << "earshot: " << failed << " of " << numFiles << " files could not be analysed\n";
        return 1;
    }
    return 0;
}

} // namespace earshot::cli
