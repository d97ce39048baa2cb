#include "Cli/CommandLine.h"
#include "Recommend/Catalog.h"

#include "Recommend/CatalogTestFiles.h"
#include "Support/CliRun.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

extern char** environ;

using namespace earshot;

namespace
{
using Result = test::CliResult;

Result run (const std::vector<std::string>& args)
{
    return test::runCli (args);
}

/** The built `earshot` executable, running with its output going to files, so that
    the test can signal it and read what it printed. */
class CliProcess final
{
public:
    CliProcess (const test::TemporaryFolder& folder, const std::vector<std::string>& args)
        : out (folder / "stdout.txt")
        , err (folder / "stderr.txt")
    {
        std::vector<std::string> strings { EARSHOT_CLI_PATH };
        strings.insert (strings.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& s : strings)
            argv.push_back (s.data());
        argv.push_back (nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init (&actions);
        posix_spawn_file_actions_addopen (&actions, 1, out.getFullPathName().toRawUTF8(), O_WRONLY | O_CREAT | O_TRUNC,
                                          0644);
        posix_spawn_file_actions_addopen (&actions, 2, err.getFullPathName().toRawUTF8(), O_WRONLY | O_CREAT | O_TRUNC,
                                          0644);
        spawned = posix_spawn (&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0;
        posix_spawn_file_actions_destroy (&actions);
    }

    ~CliProcess()
    {
        if (spawned && ! waited)
        {
            kill (pid, SIGKILL);
            wait();
        }
    }

    void signal (int number) const { kill (pid, number); }

    /** Waits for it to end; @returns its exit code, or 1000 + the signal that ended it. */
    int wait()
    {
        int status = 0;
        waitpid (pid, &status, 0);
        waited = true;
        return WIFEXITED (status) ? WEXITSTATUS (status) : 1000 + WTERMSIG (status);
    }

    std::string output() const { return out.loadFileAsString().toStdString(); }
    std::string errors() const { return err.loadFileAsString().toStdString(); }

    bool spawned = false;

private:
    pid_t pid = 0;
    bool waited = false;
    juce::File out, err;
};

/** Forty 3-second WAVs: long enough that a scan with one job can be caught half-way. */
void writeForty (const test::TemporaryFolder& folder)
{
    for (int i = 0; i < 40; ++i)
        test::writeWav (folder / ("music/" + juce::String (i).paddedLeft ('0', 2) + ".wav").toRawUTF8(), 3.0,
                        110.0 + 10.0 * i, 2);
}

/** Polls the catalog the CLI is writing until it holds `atLeast` tracks (gives up
    after two minutes); @returns the count seen. */
int64_t waitForTracks (const juce::File& database, int64_t atLeast)
{
    std::unique_ptr<Catalog> catalog;
    int64_t count = 0;
    for (int attempt = 0; attempt < 12000 && count < atLeast; ++attempt)
    {
        std::this_thread::sleep_for (std::chrono::milliseconds (10));
        std::string error;
        if (catalog == nullptr && database.existsAsFile())
            catalog = Catalog::open (database.getFullPathName().toStdString(), error);
        if (catalog != nullptr)
            count = catalog->trackCount();
    }
    return count;
}

int64_t trackCount (const juce::File& database)
{
    std::string error;
    const auto catalog = Catalog::open (database.getFullPathName().toStdString(), error);
    INFO (error);
    REQUIRE (catalog != nullptr);
    CHECK (catalog->integrityCheck() == "ok");
    return catalog->trackCount();
}
} // namespace

TEST_CASE ("earshot catalog explains its usage errors", "[catalogcli]")
{
    const auto see = " (see earshot catalog --help)\n";
    CHECK (run ({ "catalog" }).err == std::string ("earshot catalog: no subcommand: add, list, stats or remove") + see);
    CHECK (run ({ "catalog", "frob" }).err == std::string ("earshot catalog: unknown subcommand 'frob'") + see);
    CHECK (run ({ "catalog", "add" }).err ==
           std::string ("earshot catalog: add needs the files or folders to catalogue") + see);
    CHECK (run ({ "catalog", "add", "x", "--jobs", "0" }).err ==
           std::string ("earshot catalog: --jobs needs a whole number of at least 1") + see);
    CHECK (run ({ "catalog", "stats", "--json" }).err ==
           std::string ("earshot catalog: --json only applies to list") + see);
    CHECK (run ({ "catalog", "list", "--db" }).err == std::string ("earshot catalog: --db needs a value") + see);
    CHECK (run ({ "catalog", "list", "--fast" }).err == std::string ("earshot catalog: unknown option '--fast'") + see);
    CHECK (run ({ "catalog", "remove" }).err ==
           std::string ("earshot catalog: remove needs the files or folders to remove, or --missing") + see);
    CHECK (run ({ "catalog", "remove" }).exitCode == 2);

    const auto help = run ({ "catalog", "--help" });
    CHECK (help.exitCode == 0);
    CHECK (help.out.find ("usage: earshot catalog add PATH... [--jobs N] [--db FILE]\n") == 0);
}

TEST_CASE ("earshot catalog add, list, stats and remove manage a catalog given with --db", "[catalogcli]")
{
    test::TemporaryFolder folder;
    test::writeWav (folder / "music/one.wav", 2.0, 440.0);
    test::writeWav (folder / "music/two.wav", 3.0, 330.0, 2);
    test::writeWav (folder / "music/sub/three.wav", 4.0, 220.0);
    const auto db = folder.path ("catalog.db");

    const auto added = run ({ "catalog", "add", folder.path ("music"), "--db", db, "--jobs", "2" });
    CHECK (added.exitCode == 0);
    CHECK (added.err.empty());
    CHECK (added.out.find ("added 3, updated 0, moved 0, unchanged 0, unreadable 0\nanalysed 0:09 of audio in ") == 0);

    const auto again = run ({ "catalog", "add", folder.path ("music"), "--db", db });
    CHECK (again.out == "added 0, updated 0, moved 0, unchanged 3, unreadable 0\n");

    const auto json = run ({ "catalog", "list", "--json", "--db", db });
    REQUIRE (json.exitCode == 0);
    const auto tracks = juce::JSON::parse (juce::String (json.out));
    REQUIRE (tracks.size() == 3);
    CHECK (tracks[0]["path"].toString() == juce::String (folder.path ("music/one.wav")));
    CHECK (static_cast<double> (tracks[0]["durationSeconds"]) == 2.0);
    CHECK (tracks[1]["path"].toString() == juce::String (folder.path ("music/sub/three.wav")));
    CHECK (static_cast<int> (tracks[2]["channels"]) == 2);
    CHECK (static_cast<double> (tracks[2]["sampleRate"]) == 44100.0);

    const auto text = run ({ "catalog", "list", "--db", db });
    const auto lines = juce::StringArray::fromLines (juce::String (text.out).trimEnd());
    REQUIRE (lines.size() == 3);
    CHECK (lines[0].startsWith ("   0:02  "));
    CHECK (lines[0].endsWith (" LUFS  " + juce::String (folder.path ("music/one.wav"))));

    const auto stats = run ({ "catalog", "stats", "--db", db });
    CHECK (stats.exitCode == 0);
    CHECK (stats.out.find ("catalog         " + db + " (") == 0);
    CHECK (stats.out.find ("\ntracks          3\ntotal duration  0:09\nby key\n") != std::string::npos);

    const auto removed = run ({ "catalog", "remove", folder.path ("music/sub"), "--db", db });
    CHECK (removed.exitCode == 0);
    CHECK (removed.out == "removed 1 track\n");

    REQUIRE ((folder / "music/two.wav").deleteFile());
    const auto missing = run ({ "catalog", "remove", "--missing", "--db", db });
    CHECK (missing.out == "removed 1 track\n");

    const auto notThere = run ({ "catalog", "remove", folder.path ("music/two.wav"), "--db", db });
    CHECK (notThere.exitCode == 1);
    CHECK (notThere.err == "earshot: " + folder.path ("music/two.wav") + ": not in the catalog\n");
    CHECK (notThere.out == "removed 0 tracks\n");
    CHECK (run ({ "catalog", "list", "--db", db }).out.find ("one.wav\n") != std::string::npos);
}

TEST_CASE ("earshot catalog names unreadable files at the end and exits 1", "[catalogcli][badinput]")
{
    test::TemporaryFolder folder;
    test::writeWav (folder / "music/good.wav", 1.0, 440.0);
    (folder / "music/broken.wav").replaceWithText ("RIFF but not really a wave file at all");
    const auto result = run ({ "catalog", "add", folder.path ("music"), "--db", folder.path ("catalog.db") });
    CHECK (result.exitCode == 1);
    CHECK (result.err == "earshot: " + folder.path ("music/broken.wav") + ": not a supported audio file, or damaged\n");
    CHECK (result.out.find ("added 1, updated 0, moved 0, unchanged 0, unreadable 1\n") == 0);
}

TEST_CASE ("earshot catalog refuses a file that is not a catalog and never writes to it", "[catalogcli][badinput]")
{
    test::TemporaryFolder folder;
    const auto notes = folder / "notes.txt";
    notes.replaceWithText ("shopping list\n");
    const auto before = test::bytesOf (notes);
    test::writeWav (folder / "music/a.wav", 1.0, 440.0);

    const auto result = run ({ "catalog", "add", folder.path ("music"), "--db", folder.path ("notes.txt") });
    CHECK (result.exitCode == 1);
    CHECK (result.err == "earshot catalog: " + folder.path ("notes.txt") +
                             ": not an Earshot catalog (not a SQLite database); left untouched\n");
    CHECK (test::bytesOf (notes) == before);

    const auto none = run ({ "catalog", "list", "--db", folder.path ("none.db") });
    CHECK (none.exitCode == 1);
    CHECK (none.err == "earshot catalog: " + folder.path ("none.db") +
                           ": no catalog here yet (earshot catalog add FOLDER makes one)\n");
    CHECK_FALSE ((folder / "none.db").exists());
}

TEST_CASE ("A catalog scan killed with SIGKILL leaves a sound catalog, and the same command resumes it",
           "[catalogcli][process]")
{
    test::TemporaryFolder folder;
    writeForty (folder);
    const auto database = folder / "catalog.db";
    const std::vector<std::string> command {
        "catalog", "add", folder.path ("music"), "--db", folder.path ("catalog.db"), "--jobs", "1"
    };
    {
        CliProcess scan (folder, command);
        REQUIRE (scan.spawned);
        REQUIRE (waitForTracks (database, 5) >= 5);
        scan.signal (SIGKILL);
        CHECK (scan.wait() == 1000 + SIGKILL);
    }

    const auto survived = trackCount (database); // also checks PRAGMA integrity_check
    CHECK (survived >= 5);
    REQUIRE (survived < 40); // killed half-way, or the test proves nothing

    CliProcess resume (folder, command);
    REQUIRE (resume.spawned);
    CHECK (resume.wait() == 0);
    CHECK (resume.output().find ("added " + std::to_string (40 - survived) + ", updated 0, moved 0, unchanged " +
                                 std::to_string (survived) + ", unreadable 0\n") == 0);
    CHECK (trackCount (database) == 40);
}

TEST_CASE ("Ctrl-C stops a catalog scan after the current file, says how to resume, and exits 130",
           "[catalogcli][process]")
{
    test::TemporaryFolder folder;
    writeForty (folder);
    const auto database = folder / "catalog.db";
    CliProcess scan (folder, { "catalog", "add", folder.path ("music"), "--db",
                               database.getFullPathName().toStdString(), "--jobs", "1" });
    REQUIRE (scan.spawned);
    REQUIRE (waitForTracks (database, 3) >= 3);
    scan.signal (SIGINT);
    CHECK (scan.wait() == 130);

    const auto written = trackCount (database);
    CHECK (written >= 3);
    CHECK (written < 40);
    CHECK (scan.errors() == "earshot catalog: interrupted: " + std::to_string (written) +
                                " files catalogued, run the same command to resume\n");
    CHECK (scan.output().find ("added " + std::to_string (written) +
                               ", updated 0, moved 0, unchanged 0, unreadable 0\n") == 0);
}
