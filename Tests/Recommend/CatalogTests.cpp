#include "Recommend/Catalog.h"

#include "Recommend/CatalogTestFiles.h"
#include "Support/FullDisk.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace earshot;
using test::executeSqlite;
using test::querySqlite;

namespace
{
/** A track with a summary of known, unround values (and an -inf level) to round-trip. */
TrackRecord makeTrack (const std::string& path, float tempo)
{
    TrackRecord track;
    track.path = path;
    track.fingerprint = "0123456789abcdef";
    track.fileSize = 5'000'123;
    track.modifiedMillis = 1'700'000'000'123;
    track.title = "Título";
    track.artist = "Artist";
    track.album = "Album";
    track.genre = "Ambient";
    auto& s = track.summary;
    s.durationSeconds = 187.25;
    s.sampleRate = 44100.0;
    s.numChannels = 2;
    s.integratedLufs = -9.5f;
    s.truePeakDbtp = FeatureFrame::noLevel;
    s.rmsDbfs = -12.345678f;
    s.dcOffset = 1.0e-7f;
    s.clippedSamples = 12'345'678'901ull;
    s.spectralCentroidHz = { 1234.5f, 321.123f };
    s.spectralSpreadHz = { 999.25f, 0.1f };
    s.mfccMean[3] = -12.375f;
    s.mfccDeviation[12] = 0.3333333f;
    s.chroma[9] = 0.25f;
    s.keyTonic = 9;
    s.keyIsMinor = true;
    s.keyConfidence = 0.8f;
    s.tempoBpm = tempo;
    s.stereoBalance = -0.125f;
    s.energy = 0.7f;
    s.silentSeconds = 2.5;
    return track;
}

void checkSameTrack (const TrackRecord& stored, const TrackRecord& original)
{
    CHECK (stored.path == original.path);
    CHECK (stored.fingerprint == original.fingerprint);
    CHECK (stored.fileSize == original.fileSize);
    CHECK (stored.modifiedMillis == original.modifiedMillis);
    CHECK (stored.title == original.title);
    CHECK (stored.genre == original.genre);
    const auto& a = stored.summary;
    const auto& b = original.summary;
    // Bit-identical: the catalog must not round what the recommender compares.
    CHECK (a.toVector() == b.toVector());
    CHECK (stored.features == b.toVector());
    CHECK (a.durationSeconds == b.durationSeconds);
    CHECK (a.sampleRate == b.sampleRate);
    CHECK (a.numChannels == b.numChannels);
    CHECK (a.truePeakDbtp == FeatureFrame::noLevel);
    CHECK (a.rmsDbfs == b.rmsDbfs);
    CHECK (a.dcOffset == b.dcOffset);
    CHECK (a.clippedSamples == b.clippedSamples);
    CHECK (a.spectralSpreadHz.deviation == b.spectralSpreadHz.deviation);
    CHECK (a.stereoBalance == b.stereoBalance);
    CHECK (a.silentSeconds == b.silentSeconds);
    CHECK (a.keyName() == "A minor");
}

std::unique_ptr<Catalog> openCatalog (const juce::File& file)
{
    std::string error;
    auto catalog = Catalog::open (file.getFullPathName().toStdString(), error);
    INFO (error);
    REQUIRE (catalog != nullptr);
    CHECK (error.empty());
    return catalog;
}

/** Tries to open `file`, which must be refused with `expected` and left byte for byte as it was. */
void checkRefused (const juce::File& file, const std::string& expected)
{
    const auto before = test::bytesOf (file);
    std::string error;
    CHECK (Catalog::open (file.getFullPathName().toStdString(), error) == nullptr);
    CHECK (error == file.getFullPathName().toStdString() + ": " + expected);
    CHECK (test::bytesOf (file) == before);
}
} // namespace

TEST_CASE ("A new catalog is marked as Earshot's, has the current schema version and uses WAL", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "nested/folder/catalog.db";
    {
        const auto catalog = openCatalog (file);
        CHECK (catalog->path() == file.getFullPathName().toStdString());
        CHECK (catalog->trackCount() == 0);
        CHECK (catalog->integrityCheck() == "ok");
        CHECK (catalog->loadProfile().empty());
        CHECK (catalog->lastError().empty());
    }
    CHECK (querySqlite (file, "PRAGMA application_id") == std::to_string (0x45617273));
    CHECK (querySqlite (file, "PRAGMA user_version") == std::to_string (Catalog::schemaVersion));
    CHECK (querySqlite (file, "PRAGMA journal_mode") == "wal");
    CHECK (querySqlite (file, "SELECT group_concat (name, ',') FROM (SELECT name FROM sqlite_schema "
                              "WHERE type = 'table' ORDER BY name)") == "history,meta,profile,tracks");
}

TEST_CASE ("A catalog keeps tracks, feedback and the profile across reopening, bit for bit", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    const auto track = makeTrack ("/music/a.flac", 123.456f);
    int64_t id = 0;
    {
        const auto catalog = openCatalog (file);
        id = catalog->upsert (track);
        CHECK (id > 0);
        catalog->addFeedback ({ id, FeedbackEvent::Kind::skip, 12.5, 2000 });
        catalog->addFeedback ({ id, FeedbackEvent::Kind::like, 0.0, 1000 });
        catalog->saveProfile ({ 0.5f, -1.25f, 3.0e-8f });
    }

    const auto catalog = openCatalog (file);
    REQUIRE (catalog->trackCount() == 1);
    const auto byPath = catalog->findByPath ("/music/a.flac");
    REQUIRE (byPath.has_value());
    CHECK (byPath->id == id);
    checkSameTrack (*byPath, track);
    const auto byId = catalog->findById (id);
    REQUIRE (byId.has_value());
    checkSameTrack (*byId, track);
    CHECK_FALSE (catalog->findByPath ("/music/other.flac").has_value());
    CHECK_FALSE (catalog->findById (id + 1).has_value());

    const auto events = catalog->feedback();
    REQUIRE (events.size() == 2);
    CHECK (events[0].kind == FeedbackEvent::Kind::like); // oldest first
    CHECK (events[0].timeMillis == 1000);
    CHECK (events[1].kind == FeedbackEvent::Kind::skip);
    CHECK (events[1].positionSeconds == 12.5);
    CHECK (catalog->feedback (1500).size() == 1);
    CHECK (catalog->loadProfile() == std::vector<float> { 0.5f, -1.25f, 3.0e-8f });
}

TEST_CASE ("Upserting a path again replaces the track but keeps its id and history", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto catalog = openCatalog (folder / "catalog.db");
    const auto id = catalog->upsert (makeTrack ("/music/a.wav", 100.0f));
    catalog->addFeedback ({ id, FeedbackEvent::Kind::played, 187.25, 5 });

    auto changed = makeTrack ("/music/a.wav", 140.0f);
    changed.title = "New title";
    CHECK (catalog->upsert (changed) == id);
    CHECK (catalog->trackCount() == 1);
    const auto stored = catalog->findById (id);
    REQUIRE (stored.has_value());
    CHECK (stored->summary.tempoBpm == 140.0f);
    CHECK (stored->title == "New title");
    CHECK (catalog->feedback().size() == 1);
    CHECK (querySqlite (folder / "catalog.db", "SELECT tempo_bpm FROM tracks") == "140.0");
}

TEST_CASE ("Removing a track removes its history and nothing else", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto catalog = openCatalog (folder / "catalog.db");
    const auto a = catalog->upsert (makeTrack ("/music/a.wav", 100.0f));
    const auto b = catalog->upsert (makeTrack ("/music/b.wav", 110.0f));
    catalog->addFeedback ({ a, FeedbackEvent::Kind::like, 0.0, 1 });
    catalog->addFeedback ({ b, FeedbackEvent::Kind::skip, 3.0, 2 });
    catalog->addFeedback ({ a, FeedbackEvent::Kind::playedToEnd, 187.25, 3 });

    CHECK (catalog->remove ({ a, 999 }) == 1);
    CHECK (catalog->trackCount() == 1);
    const auto events = catalog->feedback();
    REQUIRE (events.size() == 1);
    CHECK (events[0].trackId == b);
    CHECK (querySqlite (folder / "catalog.db", "SELECT count(*) FROM history") == "1");

    // History must belong to a catalogued track.
    catalog->addFeedback ({ a, FeedbackEvent::Kind::like, 0.0, 4 });
    CHECK (catalog->lastError() == "FOREIGN KEY constraint failed");
    CHECK (catalog->feedback().size() == 1);
}

TEST_CASE ("A moved track keeps its id and history, and its fingerprint finds it", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto catalog = openCatalog (folder / "catalog.db");
    const auto a = catalog->upsert (makeTrack ("/music/a.wav", 100.0f));
    auto other = makeTrack ("/music/b.wav", 100.0f);
    other.fingerprint = "fedcba9876543210";
    catalog->upsert (other);
    catalog->addFeedback ({ a, FeedbackEvent::Kind::like, 0.0, 1 });

    const auto matches = catalog->findByFingerprint ("0123456789abcdef");
    REQUIRE (matches.size() == 1);
    CHECK (matches[0].id == a);

    CHECK (catalog->moveTrack (a, "/music/renamed.wav", 42, 7));
    CHECK_FALSE (catalog->findByPath ("/music/a.wav").has_value());
    const auto moved = catalog->findByPath ("/music/renamed.wav");
    REQUIRE (moved.has_value());
    CHECK (moved->id == a);
    CHECK (moved->fileSize == 42);
    CHECK (moved->modifiedMillis == 7);
    CHECK (moved->summary.tempoBpm == 100.0f);
    CHECK (catalog->feedback().size() == 1);

    CHECK_FALSE (catalog->moveTrack (a, "/music/b.wav", 1, 1)); // taken
    CHECK_FALSE (catalog->moveTrack (12345, "/music/c.wav", 1, 1));

    const auto files = catalog->allFiles();
    REQUIRE (files.size() == 2);
    CHECK (files[0].path == "/music/b.wav");
    CHECK (files[1].path == "/music/renamed.wav");
    CHECK (files[1].title == "Título");
    CHECK (files[1].features.empty()); // no analysis in the cheap listing
}

TEST_CASE ("A file that is not a SQLite database is refused and left untouched", "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto text = folder / "notes.txt";
    text.replaceWithText ("These are my notes, not a database.\n");
    checkRefused (text, "not an Earshot catalog (not a SQLite database); left untouched");

    std::string error;
    CHECK (Catalog::open (folder.folder.getFullPathName().toStdString(), error) == nullptr);
    CHECK (error == folder.folder.getFullPathName().toStdString() + ": is a folder, not a catalog");
}

TEST_CASE ("A SQLite database of another application is refused and left untouched", "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "recipes.db";
    CHECK (querySqlite (file, "CREATE TABLE recipes (name TEXT, minutes INTEGER)").empty());
    checkRefused (file, "not an Earshot catalog (a SQLite database of another application); left untouched");
    CHECK (querySqlite (file, "SELECT count(*) FROM sqlite_schema") == "1");
}

TEST_CASE ("A damaged catalog is refused with a clear error and not overwritten", "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    {
        const auto catalog = openCatalog (file);
        for (int i = 0; i < 200; ++i)
            catalog->upsert (makeTrack ("/music/" + std::to_string (i) + ".wav", 90.0f + static_cast<float> (i)));
    }
    REQUIRE_FALSE ((folder / "catalog.db-wal").exists()); // closing checkpointed everything into the file

    // Fill a page in the middle with 0xff: its b-tree header is then impossible.
    juce::MemoryBlock bytes = test::bytesOf (file);
    constexpr size_t pageSize = 4096;
    REQUIRE (bytes.getSize() > 20 * pageSize);
    const auto middlePage = bytes.getSize() / pageSize / 2;
    std::memset (static_cast<char*> (bytes.getData()) + middlePage * pageSize, 0xff, pageSize);
    REQUIRE (file.replaceWithData (bytes.getData(), bytes.getSize()));

    checkRefused (file, "the catalog is damaged (database disk image is malformed); left untouched");
}

TEST_CASE ("A catalog of a newer schema version is refused and left untouched", "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    openCatalog (file)->upsert (makeTrack ("/music/a.wav", 100.0f));
    CHECK (querySqlite (file, "PRAGMA user_version = 2").empty());

    checkRefused (file, "the catalog has schema version 2, newer than this Earshot reads (1); left untouched");
}

TEST_CASE ("A catalog whose tables Earshot did not write is refused and left untouched", "[catalog][badinput]")
{
    // As the fuzzer forged it (Tests/Fuzz/corpus/FuzzCatalog/open-refused-catalog-written-to.db):
    // Earshot's application id and schema version over tables of another shape. Opening
    // once switched such a file to WAL before the first statement failed on a missing column.
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    openCatalog (file)->upsert (makeTrack ("/music/a.wav", 100.0f));
    SECTION ("a column missing")
    {
        CHECK (executeSqlite (file, "PRAGMA journal_mode = DELETE; DROP TABLE meta; "
                                    "CREATE TABLE meta (key TEXT PRIMARY KEY)")
                   .empty());
    }
    SECTION ("a column of another type")
    {
        CHECK (executeSqlite (file,
                              "PRAGMA journal_mode = DELETE; DROP TABLE profile; CREATE TABLE profile (id "
                              "INTEGER PRIMARY KEY CHECK (id = 1), vector TEXT NOT NULL, updated_ms INTEGER NOT NULL)")
                   .empty());
    }
    SECTION ("a unique key missing")
    {
        CHECK (executeSqlite (file,
                              "PRAGMA journal_mode = DELETE; ALTER TABLE meta RENAME TO old; CREATE TABLE meta (key "
                              "TEXT, value TEXT NOT NULL); DROP TABLE old")
                   .empty());
    }
    checkRefused (file, "the catalog is damaged (its tables are not the ones Earshot writes); left untouched");
    CHECK_FALSE ((folder / "catalog.db-wal").exists());
    CHECK_FALSE ((folder / "catalog.db-journal").exists());
    CHECK (querySqlite (file, "PRAGMA journal_mode") == "delete");
}

TEST_CASE ("A refused file whose header says WAL gets no -wal or -shm file next to it", "[catalog][badinput]")
{
    // Found by the fuzzer (Tests/Fuzz/corpus/FuzzCatalog/regression-wal-header-sidecars.db):
    // reading such a file makes SQLite create its -wal and -shm files.
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    std::string bytes ("SQLite format 3", 16);
    bytes += std::string ("\x10\x00\x02\x02\x00\x40\x20\x20\x00\x00\x00\x00", 12);
    REQUIRE (file.replaceWithData (bytes.data(), bytes.size()));
    checkRefused (file, "the catalog is damaged (database disk image is malformed); left untouched");
    CHECK_FALSE ((folder / "catalog.db-wal").exists());
    CHECK_FALSE ((folder / "catalog.db-shm").exists());

    // Only what opening created is removed: a -wal that was there before stays.
    const auto second = folder / "second.db";
    REQUIRE (second.replaceWithData (bytes.data(), bytes.size()));
    REQUIRE ((folder / "second.db-wal").create());
    checkRefused (second, "the catalog is damaged (database disk image is malformed); left untouched");
    CHECK ((folder / "second.db-wal").existsAsFile());
    CHECK_FALSE ((folder / "second.db-shm").exists());
}

TEST_CASE ("A catalog another program keeps locked gets a clear error after the wait, and nothing changes",
           "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    const auto path = file.getFullPathName().toStdString();
    std::string error;
    auto catalog = Catalog::open (path, error, 200);
    REQUIRE (catalog != nullptr);
    const auto first = catalog->upsert (makeTrack ("/music/a.wav", 100.0f));
    REQUIRE (first != 0);

    // Another program's write transaction, as a scan in another process holds one.
    sqlite3* other = nullptr;
    REQUIRE (sqlite3_open (path.c_str(), &other) == SQLITE_OK);
    REQUIRE (sqlite3_exec (other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const auto locked = "another program kept the catalog locked for 0.2 s (database is locked)";

    const auto started = juce::Time::getMillisecondCounterHiRes();
    CHECK (Catalog::open (path, error, 200) == nullptr);
    CHECK (juce::Time::getMillisecondCounterHiRes() - started >= 150.0); // it waited for the lock
    CHECK (error == path + ": cannot open the catalog: " + locked);

    CHECK (catalog->upsert (makeTrack ("/music/b.wav", 110.0f)) == 0);
    CHECK (catalog->lastError() == locked);
    catalog->addFeedback ({ first, FeedbackEvent::Kind::like, 0.0, 1000 });
    CHECK (catalog->lastError() == locked);

    // The lock goes away: nothing was half-written, and writing works again.
    REQUIRE (sqlite3_exec (other, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close (other);
    CHECK (catalog->trackCount() == 1);
    CHECK (catalog->feedback().empty());
    CHECK (catalog->upsert (makeTrack ("/music/b.wav", 110.0f)) != 0);
    CHECK (catalog->trackCount() == 2);
    CHECK (catalog->integrityCheck() == "ok");
}

TEST_CASE ("A disk that fills while the catalog writes loses nothing that was stored", "[catalog][badinput]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    std::vector<TrackRecord> before;
    {
        const auto catalog = openCatalog (file);
        for (int i = 0; i < 20; ++i)
            REQUIRE (catalog->upsert (
                         makeTrack ("/music/" + std::to_string (i) + ".wav", 90.0f + static_cast<float> (i))) != 0);
        before = catalog->allTracks();
    }

    int stored = 0;
    {
        // SQLite binds a connection to its file system when it opens.
        test::ScopedFullDisk disk (64 * 1024);
        const auto catalog = openCatalog (file);
        for (int i = 20; i < 200; ++i)
        {
            if (catalog->upsert (makeTrack ("/music/" + std::to_string (i) + ".wav", 90.0f)) == 0)
                break;
            ++stored;
        }
        REQUIRE (disk.refusedWrites() > 0);
        CHECK (catalog->lastError() == "database or disk is full");
        CHECK (stored < 180);
        // Every track stored before the disk filled is intact, and the failed one left no trace.
        CHECK (catalog->trackCount() == 20 + stored);
        CHECK (catalog->integrityCheck() == "ok");

        disk.makeRoom();
        CHECK (catalog->upsert (makeTrack ("/music/after.wav", 120.0f)) != 0);
    }

    const auto reopened = openCatalog (file);
    CHECK (reopened->trackCount() == 20 + stored + 1);
    for (const auto& track : before)
    {
        const auto kept = reopened->findByPath (track.path);
        REQUIRE (kept.has_value());
        CHECK (kept->features == track.features);
    }
}

TEST_CASE ("An empty file becomes a catalog", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "empty.db";
    REQUIRE (file.create());
    CHECK (openCatalog (file)->trackCount() == 0);
    CHECK (querySqlite (file, "PRAGMA user_version") == "1");
}

TEST_CASE ("Opening recomputes stored features when the feature layout has changed", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto file = folder / "catalog.db";
    const auto track = makeTrack ("/music/a.wav", 128.0f);
    openCatalog (file)->upsert (track);
    // As an Earshot with another toVector() would have left it.
    CHECK (querySqlite (file, "UPDATE meta SET value = 'old,layout' WHERE key = 'feature_names'").empty());
    CHECK (querySqlite (file, "UPDATE tracks SET features = x'0000803f'").empty());

    const auto stored = openCatalog (file)->findByPath ("/music/a.wav");
    REQUIRE (stored.has_value());
    CHECK (stored->features == track.summary.toVector());
    CHECK (querySqlite (file, "SELECT length (features) FROM tracks") ==
           std::to_string (TrackSummary::vectorNames().size() * sizeof (float)));
}

TEST_CASE ("The default catalog lives in the user's data directory", "[catalog]")
{
    const auto previous = juce::SystemStats::getEnvironmentVariable ("XDG_DATA_HOME", {});
    setenv ("XDG_DATA_HOME", "/data/home", 1);
    CHECK (Catalog::defaultPath() == "/data/home/earshot/catalog.db");
    unsetenv ("XDG_DATA_HOME");
    CHECK (Catalog::defaultPath() == juce::File::getSpecialLocation (juce::File::userHomeDirectory)
                                         .getChildFile (".local/share/earshot/catalog.db")
                                         .getFullPathName()
                                         .toStdString());
    if (previous.isNotEmpty())
        setenv ("XDG_DATA_HOME", previous.toRawUTF8(), 1);
}
