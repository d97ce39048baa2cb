#pragma once

#include <juce_core/juce_core.h>

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#if ! JUCE_LITTLE_ENDIAN
    #error "float BLOBs are stored little-endian by copying memory; convert them on a big-endian target"
#endif

namespace earshot
{

/** A SQLite connection as the Catalog uses it: one error string, statements that
    bind and read std types, and the file-level steps of opening a catalog.
    Header-only because the catalog is its only user (Catalog.cpp includes it).
    Thread: like the Catalog that owns it, one thread. */
class SqliteDatabase final
{
public:
    SqliteDatabase() = default;
    ~SqliteDatabase() { sqlite3_close_v2 (db); }

    /** Opens (creating if missing) the file read-write; nothing is written yet. While
        another connection holds a lock, statements wait up to `busyTimeoutMs`. */
    bool open (const std::string& path, std::string& reason, int busyTimeoutMs = 30000)
    {
        busyTimeout = busyTimeoutMs;
        filePath = juce::File::isAbsolutePath (juce::String::fromUTF8 (path.c_str())) ? path : std::string();
        for (size_t i = 0; i < std::size (sidecarSuffixes); ++i)
            sidecarExisted[i] = filePath.empty() || sidecar (i).exists();
        const auto flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2 (path.c_str(), &db, flags, nullptr) != SQLITE_OK)
        {
            reason = db != nullptr ? sqlite3_errmsg (db) : "out of memory";
            return false;
        }
        sqlite3_extended_result_codes (db, 1);
        // Another process (a scan, a recommender) may be writing: wait for it rather than fail.
        sqlite3_busy_timeout (db, busyTimeout);
        return true;
    }

    /** What the file's header says about it. */
    struct Header
    {
        /** The SQLite result code of the first read that failed, else SQLITE_OK. */
        int code = SQLITE_OK;
        std::string error;
        int applicationId = 0, userVersion = 0;
        int64_t objects = 0;
    };

    /** Reads the header fields and counts the schema's objects; only reads. */
    Header inspect()
    {
        Header header;
        auto read = [&] (const char* sql) -> int64_t
        {
            sqlite3_stmt* statement = nullptr;
            int64_t value = 0;
            const auto rc = sqlite3_prepare_v2 (db, sql, -1, &statement, nullptr) == SQLITE_OK
                                ? sqlite3_step (statement)
                                : sqlite3_errcode (db);
            if (rc == SQLITE_ROW)
                value = sqlite3_column_int64 (statement, 0);
            else if (header.code == SQLITE_OK)
            {
                header.code = rc & 0xff;
                header.error = describe (header.code, sqlite3_errstr (header.code));
            }
            sqlite3_finalize (statement);
            return value;
        };
        header.applicationId = static_cast<int> (read ("PRAGMA application_id"));
        header.userVersion = static_cast<int> (read ("PRAGMA user_version"));
        header.objects = read ("SELECT count(*) FROM sqlite_schema");
        return header;
    }

    /** Runs a check pragma (quick_check, integrity_check): "ok", or what it found. */
    std::string check (const char* pragma) const;

    /** Switches to write-ahead logging unless the file already uses it (it is stored
        in the file, and can only change outside a transaction). */
    bool useWriteAheadLog();

    /** Closes a file found to be foreign or damaged: skips the checkpoint a last
        connection would otherwise run, so not a byte of the file is written, and
        removes the empty -wal and the -shm that merely reading a file whose header
        says WAL created next to it (only those that were not there before open()). */
    void closeWithoutWriting()
    {
        sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        sqlite3_close_v2 (db);
        db = nullptr;
        for (size_t i = 0; i < std::size (sidecarSuffixes); ++i)
            if (const auto file = sidecar (i);
                ! sidecarExisted[i] && file.existsAsFile() && (file.getSize() == 0 || i == shmIndex))
                file.deleteFile();
    }

    /** Runs SQL that returns no rows. */
    bool execute (const std::string& sql)
    {
        if (sqlite3_exec (db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK)
            return true;
        return fail();
    }

    int changes() const { return sqlite3_changes (db); }
    sqlite3* handle() const noexcept { return db; }

    /** Records the connection's current error; @returns false for convenience. */
    bool fail() const
    {
        error = describe (sqlite3_errcode (db), sqlite3_errmsg (db));
        return false;
    }
    void setError (std::string message) const { error = std::move (message); }
    const std::string& lastError() const noexcept { return error; }
    void clearError() const { error.clear(); }

private:
    /** SQLite's message, and for a lock that did not go away, whose it was and how long we waited. */
    std::string describe (int code, const char* message) const
    {
        if ((code & 0xff) != SQLITE_BUSY)
            return message;
        const auto seconds = juce::String (busyTimeout / 1000.0, busyTimeout % 1000 == 0 ? 0 : 1);
        return "another program kept the catalog locked for " + seconds.toStdString() + " s (" + message + ")";
    }

    static constexpr const char* sidecarSuffixes[] = { "-wal", "-shm", "-journal" };
    static constexpr size_t shmIndex = 1; // shared memory only: never holds data

    juce::File sidecar (size_t index) const
    {
        return juce::File (juce::String::fromUTF8 (filePath.c_str()) + sidecarSuffixes[index]);
    }

    sqlite3* db = nullptr;
    mutable std::string error;
    std::string filePath;
    int busyTimeout = 30000;
    bool sidecarExisted[std::size (sidecarSuffixes)] {};

    JUCE_DECLARE_NON_COPYABLE (SqliteDatabase)
};

/** One prepared statement: bind with bind(), step with next() or run(). */
class SqliteStatement final
{
public:
    SqliteStatement (const SqliteDatabase& databaseToUse, const std::string& sql)
        : database (databaseToUse)
    {
        if (sqlite3_prepare_v2 (database.handle(), sql.c_str(), static_cast<int> (sql.size()), &statement, nullptr) !=
            SQLITE_OK)
            database.fail();
    }
    ~SqliteStatement() { sqlite3_finalize (statement); }

    SqliteStatement& bind (int index, int64_t value)
    {
        sqlite3_bind_int64 (statement, index, value);
        return *this;
    }
    SqliteStatement& bind (int index, double value)
    {
        sqlite3_bind_double (statement, index, value);
        return *this;
    }
    SqliteStatement& bind (int index, const std::string& text)
    {
        sqlite3_bind_text (statement, index, text.data(), static_cast<int> (text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    SqliteStatement& bind (int index, const std::vector<float>& values)
    {
        // A zero-length blob, not NULL, for an empty vector (columns are NOT NULL).
        sqlite3_bind_blob (statement, index, values.empty() ? "" : static_cast<const void*> (values.data()),
                           static_cast<int> (values.size() * sizeof (float)), SQLITE_TRANSIENT);
        return *this;
    }
    template <typename Value>
    SqliteStatement& bind (int index, const std::optional<Value>& value)
    {
        if (value.has_value())
            return bind (index, *value);
        sqlite3_bind_null (statement, index);
        return *this;
    }

    /** Steps once: @returns true while there is a row (errors go to the database's lastError()). */
    bool next()
    {
        if (statement == nullptr)
            return false;
        const auto rc = sqlite3_step (statement);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            database.fail();
        return rc == SQLITE_ROW;
    }

    /** Runs a statement that returns no rows: @returns true if it completed. */
    bool run()
    {
        if (statement == nullptr)
            return false;
        if (sqlite3_step (statement) == SQLITE_DONE)
            return true;
        return database.fail();
    }

    /** Makes the statement ready to bind and run again. */
    void reset()
    {
        sqlite3_reset (statement);
        sqlite3_clear_bindings (statement);
    }

    int64_t integer (int column) const { return sqlite3_column_int64 (statement, column); }
    double real (int column) const { return sqlite3_column_double (statement, column); }
    bool isNull (int column) const { return sqlite3_column_type (statement, column) == SQLITE_NULL; }
    std::string text (int column) const
    {
        const auto* bytes = sqlite3_column_text (statement, column);
        return bytes == nullptr ? std::string()
                                : std::string (reinterpret_cast<const char*> (bytes),
                                               static_cast<size_t> (sqlite3_column_bytes (statement, column)));
    }
    std::vector<float> floats (int column) const
    {
        const auto* bytes = sqlite3_column_blob (statement, column);
        std::vector<float> values (static_cast<size_t> (sqlite3_column_bytes (statement, column)) / sizeof (float));
        if (bytes != nullptr && ! values.empty())
            std::memcpy (values.data(), bytes, values.size() * sizeof (float));
        return values;
    }

private:
    const SqliteDatabase& database;
    sqlite3_stmt* statement = nullptr;

    JUCE_DECLARE_NON_COPYABLE (SqliteStatement)
};

/** BEGIN IMMEDIATE (takes the write lock up front, so it cannot deadlock with another
    writer half-way) ... COMMIT; rolls back unless commit() was called and succeeded. */
class SqliteTransaction final
{
public:
    explicit SqliteTransaction (SqliteDatabase& databaseToUse)
        : database (databaseToUse)
        , began (database.execute ("BEGIN IMMEDIATE"))
    {
    }
    ~SqliteTransaction()
    {
        if (began && ! committed)
            sqlite3_exec (database.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool hasBegun() const noexcept { return began; }
    bool commit()
    {
        committed = began && database.execute ("COMMIT");
        return committed;
    }

private:
    SqliteDatabase& database;
    bool began = false, committed = false;

    JUCE_DECLARE_NON_COPYABLE (SqliteTransaction)
};

inline std::string SqliteDatabase::check (const char* pragma) const
{
    clearError();
    SqliteStatement statement (*this, pragma);
    std::string result;
    while (statement.next())
        result += (result.empty() ? "" : "; ") + statement.text (0);
    return error.empty() ? result : error;
}

inline bool SqliteDatabase::useWriteAheadLog()
{
    {
        // Finished before the switch: a statement still stepping holds a read transaction.
        SqliteStatement mode (*this, "PRAGMA journal_mode");
        if (mode.next() && mode.text (0) == "wal")
            return true;
    }
    SqliteStatement wal (*this, "PRAGMA journal_mode = WAL");
    if (wal.next() && wal.text (0) == "wal")
        return true;
    if (error.empty())
        error = "the file system does not support it";
    return false;
}

} // namespace earshot
