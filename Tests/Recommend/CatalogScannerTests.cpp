#include "Recommend/CatalogScanner.h"

#include "Recommend/CatalogTestFiles.h"
#include "Support/FullDisk.h"

#include <catch2/catch.hpp>

using namespace earshot;

namespace
{
std::unique_ptr<Catalog> openCatalog (const juce::File& file)
{
    std::string error;
    auto catalog = Catalog::open (file.getFullPathName().toStdString(), error);
    INFO (error);
    REQUIRE (catalog != nullptr);
    return catalog;
}

ScanResult scan (Catalog& catalog, const juce::File& folder, int jobs = 1, const std::atomic<bool>* cancel = nullptr,
                 std::function<void (const ScanProgress&)> progress = {})
{
    ScanOptions options;
    options.jobs = jobs;
    options.cancel = cancel;
    options.progress = std::move (progress);
    return CatalogScanner::scan (catalog, { folder.getFullPathName().toStdString() }, options);
}

/** Six WAVs of 1.0 .. 1.5 s in nested folders, and files the scan must pass over. */
void writeLibrary (const test::TemporaryFolder& folder)
{
    const char* names[] = { "a.wav", "b.WAV", "sub/c.wav", "sub/deeper/d.wav", "sub/e.wav", "z.wav" };
    for (int i = 0; i < 6; ++i)
        test::writeWav (folder / names[i], 1.0 + 0.1 * i, 220.0 * (i + 1), 1 + i % 2);
    (folder / "notes.txt").replaceWithText ("not audio");
    test::writeWav (folder / ".hidden/x.wav", 1.0, 440.0);
}

uint64_t fnv1a (const juce::MemoryBlock& bytes, uint64_t hash = 0xcbf29ce484222325ull)
{
    for (size_t i = 0; i < bytes.getSize(); ++i)
        hash = (hash ^ static_cast<uint8_t> (bytes[i])) * 0x100000001b3ull;
    return hash;
}
} // namespace

TEST_CASE ("A scan catalogues new audio files, skips them when unchanged and re-analyses changed ones", "[catalog]")
{
    test::TemporaryFolder folder, data;
    writeLibrary (folder);
    const auto catalog = openCatalog (data / "catalog.db");

    const auto first = scan (*catalog, folder.folder, 2);
    CHECK (first.added == 6);
    CHECK (first.updated == 0);
    CHECK (first.unchanged == 0);
    CHECK (first.unreadable.empty());
    CHECK_FALSE (first.cancelled);
    CHECK (first.audioSeconds == Approx (7.5));
    REQUIRE (catalog->trackCount() == 6);

    const auto c = folder / "sub/c.wav";
    const auto track = catalog->findByPath (c.getFullPathName().toStdString());
    REQUIRE (track.has_value());
    CHECK (track->summary.durationSeconds == Approx (1.2));
    CHECK (track->summary.sampleRate == 44100.0);
    CHECK (track->summary.numChannels == 1);
    CHECK (track->fileSize == c.getSize());
    CHECK (track->modifiedMillis == c.getLastModificationTime().toMilliseconds());
    CHECK (track->fingerprint == CatalogScanner::fingerprint (c));
    CHECK (track->features == track->summary.toVector());

    const auto second = scan (*catalog, folder.folder, 2);
    CHECK (second.unchanged == 6);
    CHECK (second.added + second.updated + second.moved == 0);
    CHECK (second.audioSeconds == 0.0);

    // Touched: analysed again, same id. Rewritten longer: analysed again, new duration.
    REQUIRE (c.setLastModificationTime (c.getLastModificationTime() + juce::RelativeTime::seconds (10.0)));
    test::writeWav (folder / "z.wav", 2.0, 330.0);
    const auto third = scan (*catalog, folder.folder, 2);
    CHECK (third.updated == 2);
    CHECK (third.unchanged == 4);
    CHECK (third.added == 0);
    CHECK (third.audioSeconds == Approx (1.2 + 2.0));
    CHECK (catalog->findByPath (c.getFullPathName().toStdString())->id == track->id);
    CHECK (catalog->findByPath ((folder / "z.wav").getFullPathName().toStdString())->summary.durationSeconds ==
           Approx (2.0));
    CHECK (catalog->trackCount() == 6);
}

TEST_CASE ("A scan gives the same analysis whatever the number of jobs", "[catalog]")
{
    test::TemporaryFolder folder, data;
    writeLibrary (folder);
    const auto one = openCatalog (data / "one.db");
    const auto two = openCatalog (data / "two.db");
    scan (*one, folder.folder, 1);
    scan (*two, folder.folder, 2);
    const auto a = one->allTracks();
    const auto b = two->allTracks();
    REQUIRE (a.size() == 6);
    REQUIRE (b.size() == 6);
    for (size_t i = 0; i < a.size(); ++i)
    {
        CHECK (a[i].path == b[i].path);
        CHECK (a[i].features == b[i].features);
    }
}

TEST_CASE ("A scan lists the files it cannot read, with why, and catalogues the rest", "[catalog][badinput]")
{
    test::TemporaryFolder folder, data;
    test::writeWav (folder / "good.wav", 1.0, 440.0);
    (folder / "garbage.wav").replaceWithText ("RIFF but not really a wave file at all");
    REQUIRE ((folder / "empty.flac").create());
    const auto catalog = openCatalog (data / "catalog.db");

    ScanOptions options;
    const auto missing = folder.path ("missing-folder");
    const auto result =
        CatalogScanner::scan (*catalog, { folder.folder.getFullPathName().toStdString(), missing }, options);
    CHECK (result.added == 1);
    REQUIRE (result.unreadable.size() == 3);
    CHECK (result.unreadable[0].path == folder.path ("empty.flac"));
    CHECK (result.unreadable[0].reason == "file is empty");
    CHECK (result.unreadable[1].path == folder.path ("garbage.wav"));
    CHECK (result.unreadable[1].reason == "not a supported audio file, or damaged");
    CHECK (result.unreadable[2].path == missing);
    CHECK (result.unreadable[2].reason == "no such file or folder");
    CHECK (catalog->trackCount() == 1);
}

TEST_CASE ("A scan stops with a clear error when the disk fills, keeps what it stored, and resumes",
           "[catalog][badinput]")
{
    test::TemporaryFolder folder, data;
    writeLibrary (folder);
    const auto file = data / "catalog.db";
    openCatalog (file); // created while the disk had room

    ScanResult first;
    {
        test::ScopedFullDisk disk (20 * 1024); // a few tracks' worth of write-ahead log
        const auto catalog = openCatalog (file);
        first = scan (*catalog, folder.folder, 2);
        REQUIRE (disk.refusedWrites() > 0);
        CHECK (first.added < 6);
        CHECK (catalog->trackCount() == first.added); // what it reports stored is stored
        CHECK (catalog->integrityCheck() == "ok");
    }
    const auto failedPath = first.error.substr (0, first.error.find (": "));
    CHECK (first.error == failedPath + ": cannot write to the catalog: database or disk is full");
    CHECK (juce::File (failedPath).existsAsFile());

    // With room again, the same scan resumes: the stored tracks are unchanged, the rest are added.
    const auto catalog = openCatalog (file);
    const auto second = scan (*catalog, folder.folder, 2);
    CHECK (second.error.empty());
    CHECK (second.unchanged == first.added);
    CHECK (second.added == 6 - first.added);
    CHECK (catalog->trackCount() == 6);
}

TEST_CASE ("A scan reads title, artist, album and genre from a WAV's INFO chunk", "[catalog]")
{
    test::TemporaryFolder folder, data;
    juce::StringPairArray tags;
    tags.set (juce::WavAudioFormat::riffInfoTitle, "Night Drive");
    tags.set (juce::WavAudioFormat::riffInfoArtist, "The Testers");
    tags.set (juce::WavAudioFormat::riffInfoProductName, "Signals");
    tags.set (juce::WavAudioFormat::riffInfoGenre, "Synthwave");
    test::writeWav (folder / "tagged.wav", 1.0, 440.0, 2, tags);
    test::writeWav (folder / "plain.wav", 1.0, 440.0);
    const auto catalog = openCatalog (data / "catalog.db");
    scan (*catalog, folder.folder);

    const auto tagged = catalog->findByPath (folder.path ("tagged.wav"));
    REQUIRE (tagged.has_value());
    CHECK (tagged->title == "Night Drive");
    CHECK (tagged->artist == "The Testers");
    CHECK (tagged->album == "Signals");
    CHECK (tagged->genre == "Synthwave");
    const auto plain = catalog->findByPath (folder.path ("plain.wav"));
    REQUIRE (plain.has_value());
    CHECK (plain->title.empty());
    CHECK (plain->genre.empty());
}

TEST_CASE ("The fingerprint hashes the size and both ends of a file", "[catalog]")
{
    test::TemporaryFolder folder;
    const auto small = folder / "small.bin";
    small.replaceWithText ("abc");
    // FNV-1a 64 over the size as 8 little-endian bytes, then the bytes themselves.
    const char sizeThree[8] = { 3, 0, 0, 0, 0, 0, 0, 0 };
    const auto expected = fnv1a (juce::MemoryBlock ("abc", 3), fnv1a (juce::MemoryBlock (sizeThree, 8)));
    CHECK (CatalogScanner::fingerprint (small) ==
           juce::String::toHexString (static_cast<juce::int64> (expected)).paddedLeft ('0', 16).toStdString());
    CHECK (CatalogScanner::fingerprint (folder / "missing.bin").empty());

    juce::MemoryBlock bytes (200 * 1024, true);
    const auto big = folder / "big.bin";
    auto fingerprintWith = [&] (size_t index, char value)
    {
        auto changed = bytes;
        changed[index] = value;
        big.replaceWithData (changed.getData(), changed.getSize());
        return CatalogScanner::fingerprint (big);
    };
    const auto original = fingerprintWith (0, 0);
    CHECK (original.size() == 16);
    CHECK (fingerprintWith (10, 1) != original);                  // in the first 64 KiB
    CHECK (fingerprintWith (bytes.getSize() - 1, 1) != original); // in the last 64 KiB
    CHECK (fingerprintWith (100 * 1024, 1) == original);          // the middle is not read
    bytes.setSize (bytes.getSize() + 1, true);
    CHECK (fingerprintWith (0, 0) != original); // the size is hashed
}

TEST_CASE ("A scan recognises a moved file by its fingerprint and keeps its history", "[catalog]")
{
    test::TemporaryFolder folder, data;
    writeLibrary (folder);
    const auto catalog = openCatalog (data / "catalog.db");
    scan (*catalog, folder.folder);
    const auto before = catalog->findByPath (folder.path ("a.wav"));
    REQUIRE (before.has_value());
    catalog->addFeedback ({ before->id, FeedbackEvent::Kind::like, 0.0, 1 });

    REQUIRE ((folder / "a.wav").moveFileTo (folder / "sub/renamed.wav"));
    REQUIRE ((folder / "b.WAV").copyFileTo (folder / "b copy.wav"));
    const auto result = scan (*catalog, folder.folder);
    CHECK (result.moved == 1);
    CHECK (result.added == 1); // the copy: its original is still there
    CHECK (result.unchanged == 5);
    CHECK (catalog->trackCount() == 7);
    CHECK_FALSE (catalog->findByPath (folder.path ("a.wav")).has_value());
    const auto after = catalog->findByPath (folder.path ("sub/renamed.wav"));
    REQUIRE (after.has_value());
    CHECK (after->id == before->id);
    CHECK (after->features == before->features);
    CHECK (catalog->feedback()[0].trackId == before->id);
}

TEST_CASE ("A cancelled scan leaves a sound catalog and the next scan does the rest", "[catalog]")
{
    test::TemporaryFolder folder, data;
    for (int i = 0; i < 12; ++i)
        test::writeWav (folder / (juce::String (i).paddedLeft ('0', 2) + ".wav").toRawUTF8(), 1.0, 200.0 + 50.0 * i);
    const auto catalog = openCatalog (data / "catalog.db");

    std::atomic<bool> cancel { false };
    std::vector<ScanProgress> reports;
    const auto first = scan (*catalog, folder.folder, 1, &cancel,
                             [&] (const ScanProgress& progress)
                             {
                                 reports.push_back (progress);
                                 if (progress.filesDone == 3)
                                     cancel = true;
                             });
    CHECK (first.cancelled);
    // The file being analysed when the flag was set is finished and written, but no more started.
    CHECK (first.added >= 3);
    CHECK (first.added < 12);
    CHECK (catalog->trackCount() == first.added);
    CHECK (catalog->integrityCheck() == "ok");
    REQUIRE (reports.size() == static_cast<size_t> (first.added) + 1);
    CHECK (reports.front().filesDone == 0);
    CHECK (reports.front().filesTotal == 12);
    CHECK (reports.back().filesDone == first.added);
    CHECK (reports.back().audioSeconds == Approx (first.added * 1.0));
    CHECK (reports.back().realtimeFactor > 0.0);
    CHECK (reports.back().etaSeconds > 0.0);

    cancel = false;
    reports.clear();
    const auto second =
        scan (*catalog, folder.folder, 2, &cancel, [&] (const ScanProgress& p) { reports.push_back (p); });
    CHECK_FALSE (second.cancelled);
    CHECK (second.unchanged == first.added);
    CHECK (second.added == 12 - first.added);
    CHECK (catalog->trackCount() == 12);
    CHECK (reports.front().filesDone == first.added);
    CHECK (reports.back().filesDone == 12);
    CHECK (reports.back().etaSeconds == 0.0);
}
