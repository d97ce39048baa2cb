#include "Cli/CommandLine.h"
#include "Recommend/Catalog.h"

#include "Recommend/CatalogTestFiles.h"
#include "Support/CliRun.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace earshot;

namespace
{
using Result = test::CliResult;

Result run (const std::vector<std::string>& args)
{
    return test::runCli (args);
}

/** What the catalog at `database` holds for `path` (the analysis is not this test's subject). */
TrackSummary cataloguedSummary (const std::string& database, const std::string& path)
{
    std::string error;
    const auto catalog = Catalog::open (database, error);
    REQUIRE (catalog != nullptr);
    const auto track = catalog->findByPath (path);
    REQUIRE (track.has_value());
    return track->summary;
}

/** The three demo tracks (a groove, a ballad, a tone), catalogued in music/ of
    `folder` with the catalog at catalog.db. */
void catalogueDemos (const test::TemporaryFolder& folder)
{
    REQUIRE ((folder / "music").createDirectory());
    for (const auto* name : { "demo-groove.wav", "demo-ballad.wav", "demo-tone.wav" })
        REQUIRE (juce::File (EARSHOT_DEMO_DIR).getChildFile (name).copyFileTo ((folder / "music").getChildFile (name)));
    REQUIRE (run ({ "catalog", "add", folder.path ("music"), "--db", folder.path ("catalog.db") }).exitCode == 0);
}
} // namespace

TEST_CASE ("earshot recommend and feedback refuse bad usage with exit code 2", "[recommendcli]")
{
    const auto noFile = run ({ "recommend" });
    CHECK (noFile.exitCode == 2);
    CHECK (noFile.err == "earshot recommend: no FILE given (see earshot recommend --help)\n");
    CHECK (run ({ "recommend", "a.wav", "-k", "0" }).exitCode == 2);
    CHECK (run ({ "recommend", "a.wav", "-k", "three" }).exitCode == 2);
    CHECK (run ({ "recommend", "a.wav", "b.wav" }).exitCode == 2);
    CHECK (run ({ "recommend", "a.wav", "--frobnicate" }).err ==
           "earshot recommend: unknown option '--frobnicate' (see earshot recommend --help)\n");

    const auto skip = run ({ "feedback", "skip", "a.wav" });
    CHECK (skip.exitCode == 2);
    CHECK (skip.err == "earshot feedback: skip needs --at SECONDS: how far into the track it was skipped "
                       "(see earshot feedback --help)\n");
    CHECK (run ({ "feedback", "love", "a.wav" }).exitCode == 2);
    CHECK (run ({ "feedback", "like" }).exitCode == 2);
    CHECK (run ({ "feedback", "skip", "a.wav", "--at", "-3" }).exitCode == 2);

    const auto help = run ({ "recommend", "--help" });
    CHECK (help.exitCode == 0);
    CHECK (help.out.rfind ("usage: earshot recommend FILE", 0) == 0);
    CHECK (run ({ "feedback", "--help" }).out.rfind ("usage: earshot feedback like|skip|played TRACK", 0) == 0);
}

TEST_CASE ("earshot recommend without a catalog says how to make one", "[recommendcli]")
{
    const test::TemporaryFolder folder;
    const auto db = folder.path ("none.db");
    const auto result = run ({ "recommend", "x.wav", "--db", db });
    CHECK (result.exitCode == 1);
    CHECK (result.err == "earshot: no catalog at " + db + ": run earshot catalog add first\n");
    CHECK_FALSE ((folder / "none.db").exists());
    CHECK (run ({ "feedback", "like", "x.wav", "--db", db }).err == result.err);
}

TEST_CASE ("earshot recommend lists the other catalogued tracks, explained, as text and JSON", "[recommendcli]")
{
    const test::TemporaryFolder folder;
    catalogueDemos (folder);
    const auto db = folder.path ("catalog.db");
    const auto groove = folder.path ("music/demo-groove.wav");

    const auto summary = cataloguedSummary (db, groove);
    REQUIRE (summary.tempoBpm > 0.0f); // the groove has a beat and chords
    REQUIRE_FALSE (summary.keyName().empty());
    const auto text = run ({ "recommend", groove, "--db", db });
    REQUIRE (text.exitCode == 0);
    CHECK (text.out.rfind ("tracks like " + groove + " (" + std::to_string (juce::roundToInt (summary.tempoBpm)) +
                               " BPM, " + summary.keyName() + ", ",
                           0) == 0);
    CHECK (text.out.find ("  1. ") != std::string::npos);
    CHECK (text.out.find ("  2. ") != std::string::npos);
    CHECK (text.out.find ("least alike: ") != std::string::npos);

    const auto json = run ({ "recommend", groove, "--json", "--db", db });
    REQUIRE (json.exitCode == 0);
    const auto parsed = juce::JSON::parse (juce::String (json.out));
    REQUIRE (parsed.isArray());
    REQUIRE (parsed.size() == 2); // the query itself is not recommended
    for (int i = 0; i < 2; ++i)
    {
        const auto& r = parsed[i];
        CHECK (static_cast<int> (r["rank"]) == i + 1);
        CHECK (r["path"].toString() != juce::String (groove));
        CHECK (r["explanation"].toString().contains ("; least alike: "));
        CHECK (static_cast<double> (r["similarity"]) > 0.0);
        CHECK (static_cast<double> (r["similarity"]) <= 1.0);
        CHECK (static_cast<double> (r["groups"]["harmony"]) <= 1.0);
    }
    CHECK (static_cast<double> (parsed[0]["score"]) >= static_cast<double> (parsed[1]["score"]));

    const auto one =
        juce::JSON::parse (juce::String (run ({ "recommend", groove, "-k", "1", "--json", "--db", db }).out));
    CHECK (one.size() == 1);
}

TEST_CASE ("earshot recommend analyses a file that is not in the catalog", "[recommendcli]")
{
    const test::TemporaryFolder folder;
    catalogueDemos (folder);
    // The same audio outside the catalog: its catalogued twin comes first, identical.
    const auto copy = folder / "elsewhere/groove-copy.wav";
    copy.getParentDirectory().createDirectory();
    REQUIRE ((folder / "music/demo-groove.wav").copyFileTo (copy));

    const auto result =
        run ({ "recommend", copy.getFullPathName().toStdString(), "--json", "--db", folder.path ("catalog.db") });
    REQUIRE (result.exitCode == 0);
    const auto parsed = juce::JSON::parse (juce::String (result.out));
    REQUIRE (parsed.size() == 3);
    CHECK (parsed[0]["path"].toString() == juce::String (folder.path ("music/demo-groove.wav")));
    CHECK (static_cast<double> (parsed[0]["similarity"]) == Approx (1.0).margin (1e-4));
    const auto key = cataloguedSummary (folder.path ("catalog.db"), folder.path ("music/demo-groove.wav")).keyName();
    CHECK (parsed[0]["explanation"].toString().contains ("same key " + juce::String (key)));

    const auto missing = run ({ "recommend", folder.path ("nope.wav"), "--db", folder.path ("catalog.db") });
    CHECK (missing.exitCode == 1);
    CHECK (missing.err == "earshot: " + folder.path ("nope.wav") + ": no such file\n");
}

TEST_CASE ("earshot feedback records likes, skips and plays, and a skipped track is left out for now", "[recommendcli]")
{
    const test::TemporaryFolder folder;
    catalogueDemos (folder);
    const auto db = folder.path ("catalog.db");
    const auto groove = folder.path ("music/demo-groove.wav"), tone = folder.path ("music/demo-tone.wav");
    const auto ballad = folder.path ("music/demo-ballad.wav");

    const auto skipped = run ({ "feedback", "skip", tone, "--at", "1.5", "--db", db });
    CHECK (skipped.exitCode == 0);
    CHECK (skipped.out.rfind ("skipped " + tone + " at 1.5 s of ", 0) == 0);
    const auto liked = run ({ "feedback", "like", ballad, "--db", db });
    CHECK (liked.exitCode == 0);
    CHECK (liked.out == "liked " + ballad + "\n");
    CHECK (run ({ "feedback", "played", ballad, "--db", db }).out == "played " + ballad + " to the end\n");

    const auto unknown = run ({ "feedback", "like", folder.path ("music/other.wav"), "--db", db });
    CHECK (unknown.exitCode == 1);
    CHECK (unknown.err ==
           "earshot: " + folder.path ("music/other.wav") + ": not in the catalog (earshot catalog add adds it)\n");

    std::string error;
    const auto catalog = Catalog::open (db, error);
    REQUIRE (catalog != nullptr);
    const auto events = catalog->feedback();
    REQUIRE (events.size() == 3);
    CHECK (events[0].kind == FeedbackEvent::Kind::skip);
    CHECK (events[0].positionSeconds == 1.5);
    CHECK (events[0].trackId == catalog->findByPath (tone)->id);
    CHECK (events[1].kind == FeedbackEvent::Kind::like);
    CHECK (events[2].kind == FeedbackEvent::Kind::playedToEnd);
    CHECK (events[2].positionSeconds == Approx (catalog->findByPath (ballad)->summary.durationSeconds));

    // Both were just played (skipped or to the end): nothing is left to recommend.
    const auto result = run ({ "recommend", groove, "--json", "--db", db });
    REQUIRE (result.exitCode == 0);
    CHECK (juce::JSON::parse (juce::String (result.out)).size() == 0);
}
