#include "Cli/CatalogCommand.h"

#include "Cli/ArgumentReader.h"
#include "Recommend/CatalogScanner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <csignal>
#include <map>

namespace earshot::cli
{
namespace
{
struct Options
{
    juce::String subcommand;
    juce::StringArray paths;
    std::string database = Catalog::defaultPath();
    int jobs = 0;
    bool json = false, missing = false;
    juce::String error;
};

Options parse (const juce::StringArray& args)
{
    Options options;
    options.subcommand = args[0];
    ArgumentReader reader (args, 1);
    while (reader.next())
    {
        const auto& arg = reader.current();
        const auto applies = [&] (const char* subcommand)
        {
            if (options.subcommand != subcommand)
                reader.refuse (arg + " only applies to " + subcommand);
            return options.subcommand == subcommand;
        };

        if (arg == "--db")
            options.database = reader.value().toStdString();
        else if (arg == "--jobs" || arg == "-j")
        {
            options.jobs = reader.value().getIntValue();
            if (applies ("add") && options.jobs < 1)
                reader.refuse ("--jobs needs a whole number of at least 1");
        }
        else if (arg == "--json")
            options.json = applies ("list");
        else if (arg == "--missing")
            options.missing = applies ("remove");
        else if (arg.startsWith ("-"))
            reader.refuse ("unknown option '" + arg + "'");
        else
            options.paths.add (arg);
    }

    if (options.subcommand == "add" && options.paths.isEmpty())
        reader.refuse ("add needs the files or folders to catalogue");
    else if (options.subcommand == "remove" && options.paths.isEmpty() && ! options.missing)
        reader.refuse ("remove needs the files or folders to remove, or --missing");
    else if ((options.subcommand == "list" || options.subcommand == "stats") && ! options.paths.isEmpty())
        reader.refuse ("unexpected argument '" + options.paths[0] + "'");
    options.error = reader.error();
    return options;
}

std::vector<std::string> toStrings (const juce::StringArray& paths)
{
    std::vector<std::string> list;
    for (const auto& path : paths)
        list.push_back (path.toStdString());
    return list;
}

/** "3:07", "1:02:03". */
juce::String clock (double seconds)
{
    const auto total = juce::roundToInt (seconds);
    const auto tail = juce::String (total / 60 % 60).paddedLeft ('0', total >= 3600 ? 2 : 1) + ":" +
                      juce::String (total % 60).paddedLeft ('0', 2);
    return total >= 3600 ? juce::String (total / 3600) + ":" + tail : tail;
}

/** `value` to `decimals` places; "-" for none (silence's -inf, a tempo of 0). */
juce::String number (double value, int decimals)
{
    return std::isfinite (value) && value != 0.0 ? juce::String (value, decimals) : juce::String ("-");
}

/** JSON numbers to `decimals` places (floats print 17 digits otherwise); null for none. */
juce::var jsonNumber (double value, int decimals)
{
    if (! std::isfinite (value) || value == 0.0)
        return {};
    const auto scale = std::pow (10.0, decimals);
    return std::round (value * scale) / scale;
}

juce::String timesRealtime (double factor)
{
    return juce::String (juce::roundToInt (factor)) + "x realtime";
}

/** While alive, SIGINT and SIGTERM set `requested` instead of killing the process;
    a second signal kills it as usual (SA_RESETHAND), for when a scan will not stop. */
class InterruptHandler final
{
public:
    InterruptHandler()
    {
        static_assert (std::atomic<bool>::is_always_lock_free, "set from a signal handler");
        requested = false;
        struct sigaction action = {};
        action.sa_handler = [] (int) { requested = true; };
        action.sa_flags = static_cast<int> (SA_RESETHAND); // an unsigned constant in glibc
        sigemptyset (&action.sa_mask);
        sigaction (SIGINT, &action, &previousInterrupt);
        sigaction (SIGTERM, &action, &previousTerminate);
    }

    ~InterruptHandler()
    {
        sigaction (SIGINT, &previousInterrupt, nullptr);
        sigaction (SIGTERM, &previousTerminate, nullptr);
    }

    static inline std::atomic<bool> requested { false };

private:
    struct sigaction previousInterrupt = {}, previousTerminate = {};

    JUCE_DECLARE_NON_COPYABLE (InterruptHandler)
};

int add (Catalog& catalog, const Options& options, std::ostream& out, std::ostream& err, std::ostream* progress)
{
    const InterruptHandler interrupts;
    ScanOptions scanOptions;
    scanOptions.jobs = options.jobs;
    scanOptions.cancel = &InterruptHandler::requested;
    if (progress != nullptr)
        scanOptions.progress = [progress] (const ScanProgress& p)
        {
            *progress << "\r[" << p.filesDone << "/" << p.filesTotal << "] " << timesRealtime (p.realtimeFactor)
                      << ", ETA " << (p.etaSeconds < 0.0 ? juce::String ("-") : clock (p.etaSeconds)) << "   "
                      << std::flush;
        };

    const auto result = CatalogScanner::scan (catalog, toStrings (options.paths), scanOptions);
    if (progress != nullptr)
        *progress << "\n";

    for (const auto& file : result.unreadable)
        err << "earshot: " << file.path << ": " << file.reason << "\n";
    out << "added " << result.added << ", updated " << result.updated << ", moved " << result.moved << ", unchanged "
        << result.unchanged << ", unreadable " << result.unreadable.size() << "\n";
    if (result.audioSeconds > 0.0)
        out << "analysed " << clock (result.audioSeconds) << " of audio in " << clock (result.elapsedSeconds) << " ("
            << timesRealtime (result.audioSeconds / std::max (result.elapsedSeconds, 1e-9)) << ")\n";

    if (! result.error.empty())
    {
        err << "earshot catalog: " << result.error << "\n";
        return 1;
    }
    if (result.cancelled)
    {
        err << "earshot catalog: interrupted: " << result.catalogued()
            << " files catalogued, run the same command to resume\n";
        return 130;
    }
    return result.unreadable.empty() ? 0 : 1;
}

int list (const Catalog& catalog, const Options& options, std::ostream& out)
{
    juce::Array<juce::var> json;
    for (const auto& track : catalog.allTracks())
    {
        const auto& s = track.summary;
        if (! options.json)
        {
            out << clock (s.durationSeconds).paddedLeft (' ', 7) << "  " << number (s.tempoBpm, 1).paddedLeft (' ', 5)
                << " BPM  " << juce::String (s.keyName()).paddedRight (' ', 8) << "  "
                << number (s.integratedLufs, 1).paddedLeft (' ', 5) << " LUFS  " << track.path;
            if (! track.artist.empty() || ! track.title.empty())
                out << "  (" << track.artist << (track.artist.empty() || track.title.empty() ? "" : " - ")
                    << track.title << ")";
            out << "\n";
            continue;
        }

        auto object = std::make_unique<juce::DynamicObject>();
        object->setProperty ("id", static_cast<juce::int64> (track.id));
        object->setProperty ("path", juce::String (track.path));
        object->setProperty ("durationSeconds", jsonNumber (s.durationSeconds, 3));
        object->setProperty ("sampleRate", s.sampleRate);
        object->setProperty ("channels", s.numChannels);
        object->setProperty ("tempoBpm", jsonNumber (s.tempoBpm, 2));
        object->setProperty ("key", s.keyName().empty() ? juce::var() : juce::var (juce::String (s.keyName())));
        object->setProperty ("integratedLufs", jsonNumber (s.integratedLufs, 2));
        for (const auto& [name, value] : { std::pair ("energy", s.energy), std::pair ("danceability", s.danceability),
                                           std::pair ("brightness", s.brightness), std::pair ("dynamics", s.dynamics) })
            object->setProperty (name, std::round (value * 1000.0) / 1000.0);
        for (const auto& [name, value] : { std::pair ("title", &track.title), std::pair ("artist", &track.artist),
                                           std::pair ("album", &track.album), std::pair ("genre", &track.genre) })
            object->setProperty (name, juce::String (*value));
        json.add (juce::var (object.release()));
    }
    if (options.json)
        out << juce::JSON::toString (juce::var (json), true) << "\n";
    return 0;
}

int stats (const Catalog& catalog, std::ostream& out)
{
    const auto tracks = catalog.allTracks();
    double seconds = 0.0;
    std::map<std::string, int> keys;
    static constexpr int tempoEdges[] = { 80, 100, 120, 140, 160 };
    std::array<int, std::size (tempoEdges) + 2> tempi {}; // below, between each pair, above, none
    for (const auto& track : tracks)
    {
        const auto& s = track.summary;
        seconds += s.durationSeconds;
        ++keys[s.keyName().empty() ? "(none)" : s.keyName()];
        const auto band =
            s.tempoBpm <= 0.0f
                ? tempi.size() - 1
                : static_cast<size_t> (std::upper_bound (std::begin (tempoEdges), std::end (tempoEdges), s.tempoBpm) -
                                       std::begin (tempoEdges));
        ++tempi[band];
    }

    const juce::File file (catalog.path());
    const auto bytes = file.getSize() + file.getSiblingFile (file.getFileName() + "-wal").getSize();
    out << "catalog         " << catalog.path() << " (" << juce::File::descriptionOfSizeInBytes (bytes) << ")\n"
        << "tracks          " << tracks.size() << "\n"
        << "total duration  " << clock (seconds) << "\n"
        << "by key\n";
    for (const auto& [key, count] : keys)
        out << "  " << juce::String (key).paddedRight (' ', 14) << count << "\n";
    out << "by tempo\n";
    auto bandName = [] (size_t band) -> juce::String
    {
        const auto numEdges = std::size (tempoEdges);
        if (band == 0)
            return "< " + juce::String (tempoEdges[0]) + " BPM";
        if (band < numEdges)
            return juce::String (tempoEdges[band - 1]) + "-" + juce::String (tempoEdges[band]) + " BPM";
        return band == numEdges ? ">= " + juce::String (tempoEdges[numEdges - 1]) + " BPM" : "(none)";
    };
    for (size_t band = 0; band < tempi.size(); ++band)
    {
        const auto name = bandName (band);
        out << "  " << name.paddedRight (' ', 14) << tempi[band] << "\n";
    }
    return 0;
}

int remove (Catalog& catalog, const Options& options, std::ostream& out, std::ostream& err)
{
    const auto cwd = juce::File::getCurrentWorkingDirectory();
    std::vector<juce::File> roots;
    for (const auto& path : options.paths)
        roots.push_back (cwd.getChildFile (path));

    std::vector<int64_t> ids;
    std::vector<bool> matched (roots.size(), false);
    for (const auto& track : catalog.allFiles())
    {
        const auto file = cwd.getChildFile (juce::String (track.path));
        auto chosen = roots.empty();
        for (size_t i = 0; i < roots.size(); ++i)
            if (file == roots[i] || file.isAChildOf (roots[i]))
                chosen = matched[i] = true;
        if (chosen && (! options.missing || ! file.existsAsFile()))
            ids.push_back (track.id);
    }

    auto failed = false;
    for (size_t i = 0; i < roots.size(); ++i)
        if (! matched[i])
        {
            err << "earshot: " << roots[i].getFullPathName() << ": not in the catalog\n";
            failed = true;
        }

    const auto removed = catalog.remove (ids);
    if (! ids.empty() && removed == 0)
    {
        err << "earshot catalog: " << catalog.path() << ": cannot remove: " << catalog.lastError() << "\n";
        return 1;
    }
    out << "removed " << removed << (removed == 1 ? " track" : " tracks") << "\n";
    return failed ? 1 : 0;
}
} // namespace

juce::String catalogUsage()
{
    return "usage: earshot catalog add PATH... [--jobs N] [--db FILE]\n"
           "       earshot catalog list [--json] [--db FILE]\n"
           "       earshot catalog stats [--db FILE]\n"
           "       earshot catalog remove PATH... | --missing [--db FILE]\n"
           "\n"
           "Keeps a catalog of your music, analysed, for `earshot recommend`.\n"
           "\n"
           "  add PATH...     analyse audio files (WAV, AIFF, FLAC, Ogg Vorbis, MP3) in the folders\n"
           "                  (recursively) and files given; unchanged files are skipped, so an\n"
           "                  interrupted scan resumes where it stopped\n"
           "  list            every track: duration, tempo, key, loudness, path (--json: as JSON)\n"
           "  stats           how many tracks, their total duration, by key and by tempo\n"
           "  remove PATH...  forget the tracks of these files or folders\n"
           "  remove --missing\n"
           "                  forget the tracks whose files are gone (under PATH... if given)\n"
           "\n"
           "  --jobs N        files analysed at once (default: all cores)\n"
           "  --db FILE       the catalog (default: " +
           juce::String (Catalog::defaultPath()) +
           ")\n"
           "\n"
           "exit status: 0 success, 1 failure or unreadable files, 2 usage error, 130 interrupted\n";
}

int catalogCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress)
{
    const auto options = parse (args.isEmpty() ? juce::StringArray { "" } : args);
    const juce::StringArray subcommands { "add", "list", "stats", "remove" };
    juce::String usageError;
    if (options.subcommand.isEmpty())
        usageError = "no subcommand: add, list, stats or remove";
    else if (! subcommands.contains (options.subcommand))
        usageError = "unknown subcommand '" + options.subcommand + "'";
    else
        usageError = options.error;
    if (usageError.isNotEmpty())
    {
        err << "earshot catalog: " << usageError << " (see earshot catalog --help)\n";
        return 2;
    }

    // Only a scan creates a catalog: a typo in --db should not leave an empty one behind.
    const auto file = juce::File::getCurrentWorkingDirectory().getChildFile (juce::String (options.database));
    if (options.subcommand != "add" && ! file.existsAsFile())
    {
        err << "earshot catalog: " << file.getFullPathName()
            << ": no catalog here yet (earshot catalog add FOLDER makes one)\n";
        return 1;
    }

    std::string error;
    const auto catalog = Catalog::open (options.database, error);
    if (catalog == nullptr)
    {
        err << "earshot catalog: " << error << "\n";
        return 1;
    }

    if (options.subcommand == "add")
        return add (*catalog, options, out, err, progress);
    if (options.subcommand == "list")
        return list (*catalog, options, out);
    if (options.subcommand == "stats")
        return stats (*catalog, out);
    return remove (*catalog, options, out, err);
}

} // namespace earshot::cli
