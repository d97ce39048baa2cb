#pragma once

#include "Support/TestSignals.h"

#include <juce_audio_formats/juce_audio_formats.h>

#include <sqlite3.h>

#include <memory>
#include <string>

/** Files the catalog tests make: a temporary folder, generated WAVs, raw SQLite
    access to look at (or damage) a catalog behind its back. Header-only, shared by
    the engine's and the CLI's catalog tests. */
namespace earshot::test
{

/** A new empty folder in the temp directory, deleted with its contents. */
class TemporaryFolder final
{
public:
    TemporaryFolder()
        : folder (juce::File::getSpecialLocation (juce::File::tempDirectory)
                      .getNonexistentChildFile ("earshot-catalog-test", ""))
    {
        folder.createDirectory();
    }
    ~TemporaryFolder() { folder.deleteRecursively(); }

    juce::File operator/ (const char* relativePath) const { return folder.getChildFile (relativePath); }
    std::string path (const char* relativePath) const
    {
        return folder.getChildFile (relativePath).getFullPathName().toStdString();
    }

    const juce::File folder;

    JUCE_DECLARE_NON_COPYABLE (TemporaryFolder)
};

/** Writes `seconds` of a sine of `frequency` Hz at half scale as a 16-bit WAV (making
    its folder), with RIFF INFO `tags` (keys such as WavAudioFormat::riffInfoTitle). */
inline void writeWav (const juce::File& file, double seconds, double frequency, int channels = 1,
                      const juce::StringPairArray& tags = {})
{
    constexpr double sampleRate = 44100.0;
    file.getParentDirectory().createDirectory();
    file.deleteFile();
    const auto numSamples = juce::roundToInt (seconds * sampleRate);
    juce::AudioBuffer<float> buffer (channels, numSamples);
    fillSine (buffer, sampleRate, frequency, 0.5f);
    juce::WavAudioFormat wav;
    std::unique_ptr<juce::AudioFormatWriter> writer (wav.createWriterFor (
        new juce::FileOutputStream (file), sampleRate, static_cast<unsigned int> (channels), 16, tags, 0));
    writer->writeFromAudioSampleBuffer (buffer, 0, numSamples);
}

inline juce::MemoryBlock bytesOf (const juce::File& file)
{
    juce::MemoryBlock bytes;
    file.loadFileAsData (bytes);
    return bytes;
}

/** Runs `sql` on the database at `path` with a connection of its own, outside the
    Catalog; @returns the first column of the first row as text ("" if none), or
    "error: ..." if SQLite refused. */
inline std::string querySqlite (const juce::File& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    std::string result;
    if (sqlite3_open (path.getFullPathName().toRawUTF8(), &db) == SQLITE_OK)
    {
        sqlite3_stmt* statement = nullptr;
        auto rc = sqlite3_prepare_v2 (db, sql.c_str(), -1, &statement, nullptr);
        while (rc == SQLITE_OK || rc == SQLITE_ROW)
        {
            rc = sqlite3_step (statement);
            if (rc == SQLITE_ROW && result.empty() && sqlite3_column_text (statement, 0) != nullptr)
                result = reinterpret_cast<const char*> (sqlite3_column_text (statement, 0));
        }
        if (rc != SQLITE_DONE)
            result = std::string ("error: ") + sqlite3_errmsg (db);
        sqlite3_finalize (statement);
    }
    sqlite3_close (db);
    return result;
}

/** Runs several `;`-separated statements on `path` with sqlite3 itself, as another
    program would; @returns "" or SQLite's error message. */
inline std::string executeSqlite (const juce::File& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    std::string result;
    char* message = nullptr;
    if (sqlite3_open (path.getFullPathName().toRawUTF8(), &db) != SQLITE_OK)
        result = "error: cannot open";
    else if (sqlite3_exec (db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK)
        result = std::string ("error: ") + (message != nullptr ? message : "");
    sqlite3_free (message);
    sqlite3_close (db);
    return result;
}

} // namespace earshot::test
