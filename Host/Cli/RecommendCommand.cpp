#include "Cli/RecommendCommand.h"

#include "Cli/ArgumentReader.h"
#include "Cli/FileAnalysis.h"
#include "Recommend/Catalog.h"
#include "Recommend/Recommender.h"

#include <optional>

namespace earshot::cli
{
namespace
{
constexpr int defaultCount = 10;

struct Options
{
    juce::String action; // feedback: like, skip or played
    juce::StringArray targets;
    std::string database = Catalog::defaultPath();
    int count = defaultCount;
    std::optional<double> at;
    bool json = false;
    juce::String error;
};

bool isNumber (const juce::String& text)
{
    return text.isNotEmpty() && text.containsOnly ("0123456789.") &&
           text.indexOfChar ('.') == text.lastIndexOfChar ('.');
}

/** `recommend` takes -k and --json; `feedback` takes --at and its action first. */
Options parse (const juce::StringArray& args, bool isFeedback)
{
    Options options;
    ArgumentReader reader (args);
    while (reader.next())
    {
        const auto& arg = reader.current();
        if (arg == "--db")
            options.database = reader.value().toStdString();
        else if (! isFeedback && (arg == "-k" || arg == "--count"))
        {
            const auto text = reader.value();
            options.count = text.getIntValue();
            if (! text.containsOnly ("0123456789") || options.count < 1)
                reader.refuse (arg + " needs a whole number of at least 1");
        }
        else if (! isFeedback && arg == "--json")
            options.json = true;
        else if (isFeedback && arg == "--at")
        {
            const auto text = reader.value();
            if (! isNumber (text))
                reader.refuse ("--at needs a number of seconds (0 or more)");
            options.at = text.getDoubleValue();
        }
        else if (arg.startsWith ("-") && arg.length() > 1)
            reader.refuse ("unknown option '" + arg + "'");
        else if (isFeedback && options.action.isEmpty())
            options.action = arg;
        else
            options.targets.add (arg);
    }

    const auto what = isFeedback ? "TRACK" : "FILE";
    if (isFeedback && options.action.isEmpty())
        reader.refuse ("no action: like, skip or played");
    else if (isFeedback && ! juce::StringArray { "like", "skip", "played" }.contains (options.action))
        reader.refuse ("unknown action '" + options.action + "': like, skip or played");
    else if (options.targets.isEmpty())
        reader.refuse (juce::String ("no ") + what + " given");
    else if (options.targets.size() > 1)
        reader.refuse ("one " + juce::String (what) + " at a time ('" + options.targets[1] + "' is one too many)");
    else if (isFeedback && options.action == "skip" && ! options.at.has_value())
        reader.refuse ("skip needs --at SECONDS: how far into the track it was skipped");
    options.error = reader.error();
    return options;
}

/** Opens the catalog at `database` if there is one; writes the one-line error otherwise. */
std::unique_ptr<Catalog> openCatalog (const std::string& database, std::ostream& err)
{
    const auto file = juce::File::getCurrentWorkingDirectory().getChildFile (juce::String (database));
    if (! file.existsAsFile())
    {
        err << "earshot: no catalog at " << file.getFullPathName() << ": run earshot catalog add first\n";
        return nullptr;
    }
    std::string error;
    auto catalog = Catalog::open (database, error);
    if (catalog == nullptr)
        err << "earshot: " << error << "\n";
    return catalog;
}

juce::String number (double value, int decimals)
{
    return std::isfinite (value) ? juce::String (value, decimals) : juce::String ("-");
}

juce::String describe (const TrackSummary& s)
{
    juce::StringArray parts;
    if (s.tempoBpm > 0.0f)
        parts.add (juce::String (juce::roundToInt (s.tempoBpm)) + " BPM");
    if (! s.keyName().empty())
        parts.add (juce::String (s.keyName()));
    parts.add (number (s.integratedLufs, 1) + " LUFS");
    return parts.joinIntoString (", ");
}

juce::var toJson (const Recommendation& r, int rank)
{
    auto object = std::make_unique<juce::DynamicObject>();
    object->setProperty ("rank", rank);
    object->setProperty ("id", static_cast<juce::int64> (r.trackId));
    object->setProperty ("path", juce::String (r.path));
    object->setProperty ("title", juce::String (r.title));
    object->setProperty ("artist", juce::String (r.artist));
    object->setProperty ("score", r.score);
    object->setProperty ("similarity", r.similarity);
    auto groups = std::make_unique<juce::DynamicObject>();
    for (size_t g = 0; g < r.groups.size(); ++g)
        groups->setProperty (Embedding::groupName (static_cast<FeatureGroup> (g)), r.groups[g]);
    object->setProperty ("groups", juce::var (groups.release()));
    object->setProperty ("explanation", juce::String (r.explanation));
    return juce::var (object.release());
}
} // namespace

juce::String recommendUsage()
{
    return "usage: earshot recommend FILE [-k N] [--json] [--db FILE]\n"
           "\n"
           "The tracks of your catalog that sound most like FILE (a catalogued track, or any audio\n"
           "file, analysed first), each with why: the closest and the farthest of timbre, rhythm,\n"
           "harmony and loudness. Your feedback (earshot feedback) re-ranks them; tracks played in\n"
           "the last 2 hours are left out, and near-duplicates of each other are not listed together.\n"
           "\n"
           "  -k N          how many tracks (default 10)\n"
           "  --json        one JSON array, an object per track\n"
           "  --db FILE     the catalog (default: " +
           juce::String (Catalog::defaultPath()) +
           ")\n"
           "\n"
           "exit status: 0 success, 1 failure (no catalog, FILE unreadable), 2 usage error\n";
}

int recommendCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress)
{
    const auto options = parse (args, false);
    if (options.error.isNotEmpty())
    {
        err << "earshot recommend: " << options.error << " (see earshot recommend --help)\n";
        return 2;
    }
    const auto catalog = openCatalog (options.database, err);
    if (catalog == nullptr)
        return 1;
    auto tracks = catalog->allTracks();
    if (tracks.empty())
    {
        err << "earshot: the catalog at " << catalog->path() << " is empty: run earshot catalog add first\n";
        return 1;
    }

    const auto file = juce::File::getCurrentWorkingDirectory().getChildFile (options.targets[0]);
    const auto catalogued = catalog->findByPath (file.getFullPathName().toStdString());
    TrackSummary query;
    if (catalogued.has_value())
        query = catalogued->summary;
    else
    {
        juce::AudioFormatManager formats;
        registerFormats (formats);
        OfflineOptions analysis;
        if (progress != nullptr)
            analysis.progress = [progress, &file] (double done) {
                *progress << "\ranalysing " << file.getFileName() << " " << juce::roundToInt (done * 100.0) << "%"
                          << std::flush;
            };
        juce::String error;
        const auto report = analyseFile (file, formats, analysis, error);
        if (progress != nullptr)
            *progress << "\n";
        if (! report.has_value())
        {
            err << "earshot: " << options.targets[0] << ": " << error << "\n";
            return 1;
        }
        query = report->analysis.summary;
    }

    // The approximate index (large catalogs only) is kept next to the catalog.
    Recommender recommender;
    const auto built = recommender.build (std::move (tracks), catalog->feedback(), catalog->path() + ".hnsw");
    if (! built.error.empty())
        err << "earshot recommend: warning: " << built.error << " (the index is rebuilt next time)\n";

    const auto now = juce::Time::currentTimeMillis();
    const auto count = static_cast<size_t> (options.count);
    const auto found = catalogued.has_value() ? recommender.recommend (catalogued->id, count, now)
                                              : recommender.recommend (query, count, now);

    if (options.json)
    {
        juce::Array<juce::var> json;
        for (size_t i = 0; i < found.size(); ++i)
            json.add (toJson (found[i], static_cast<int> (i) + 1));
        out << juce::JSON::toString (juce::var (json), true) << "\n";
        return 0;
    }

    out << "tracks like " << file.getFullPathName() << " (" << describe (query) << ")\n";
    if (found.empty())
        out << "  none: the catalog has no other tracks that were not played in the last 2 hours\n";
    for (size_t i = 0; i < found.size(); ++i)
    {
        const auto& r = found[i];
        out << juce::String (i + 1).paddedLeft (' ', 3) << ". " << juce::String (r.similarity, 2) << "  " << r.path;
        if (! r.artist.empty() || ! r.title.empty())
            out << "  (" << r.artist << (r.artist.empty() || r.title.empty() ? "" : " - ") << r.title << ")";
        out << "\n       " << r.explanation << "\n";
    }
    return 0;
}

juce::String feedbackUsage()
{
    return "usage: earshot feedback like|skip|played TRACK [--at SECONDS] [--db FILE]\n"
           "\n"
           "Tells Earshot how you listened to a catalogued track; earshot recommend learns from it:\n"
           "likes pull recommendations toward a track's sound, skips push them away (an early skip\n"
           "more than a late one), and older feedback counts less (half after 30 days).\n"
           "\n"
           "  like          you want more like TRACK\n"
           "  skip          you skipped TRACK --at SECONDS into it\n"
           "  played        you played TRACK to the end\n"
           "  --at SECONDS  how far into the track (required for skip)\n"
           "  --db FILE     the catalog (default: " +
           juce::String (Catalog::defaultPath()) +
           ")\n"
           "\n"
           "exit status: 0 recorded, 1 failure (no catalog, TRACK not catalogued), 2 usage error\n";
}

int feedbackCommand (const juce::StringArray& args, std::ostream& out, std::ostream& err)
{
    const auto options = parse (args, true);
    if (options.error.isNotEmpty())
    {
        err << "earshot feedback: " << options.error << " (see earshot feedback --help)\n";
        return 2;
    }
    const auto catalog = openCatalog (options.database, err);
    if (catalog == nullptr)
        return 1;

    const auto file = juce::File::getCurrentWorkingDirectory().getChildFile (options.targets[0]);
    const auto track = catalog->findByPath (file.getFullPathName().toStdString());
    if (! track.has_value())
    {
        err << "earshot: " << file.getFullPathName() << ": not in the catalog (earshot catalog add adds it)\n";
        return 1;
    }

    FeedbackEvent event;
    event.trackId = track->id;
    event.timeMillis = juce::Time::currentTimeMillis();
    event.kind = options.action == "like"   ? FeedbackEvent::Kind::like
                 : options.action == "skip" ? FeedbackEvent::Kind::skip
                                            : FeedbackEvent::Kind::playedToEnd;
    event.positionSeconds =
        options.at.value_or (event.kind == FeedbackEvent::Kind::like ? 0.0 : track->summary.durationSeconds);
    catalog->addFeedback (event);
    if (! catalog->lastError().empty())
    {
        err << "earshot feedback: " << catalog->path() << ": cannot record: " << catalog->lastError() << "\n";
        return 1;
    }

    if (event.kind == FeedbackEvent::Kind::like)
        out << "liked " << track->path << "\n";
    else if (event.kind == FeedbackEvent::Kind::skip)
        out << "skipped " << track->path << " at " << juce::String (event.positionSeconds, 1) << " s of "
            << juce::String (track->summary.durationSeconds, 1) << " s\n";
    else
        out << "played " << track->path << " to the end\n";
    return 0;
}

} // namespace earshot::cli
