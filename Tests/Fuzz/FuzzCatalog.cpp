// The catalog database: a file that may be damaged, foreign, from a newer
// Earshot, or crafted. The bytes are written to a file in a private temporary
// folder, opened with Catalog::open() and everything in it is read, as
// `earshot catalog list` and the recommender do.
//
// Catalog.h promises that a database it refuses is never written to: a refused
// file must still hold exactly the input bytes, and leave no journal behind.

#include "Recommend/Catalog.h"

#include <juce_core/juce_core.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace
{
juce::File folder;

void removeCatalogFiles (const juce::File& file)
{
    for (const auto* suffix : { "", "-wal", "-shm", "-journal" })
        juce::File (file.getFullPathName() + suffix).deleteFile();
}

void readEverything (earshot::Catalog& catalog)
{
    juce::ignoreUnused (catalog.trackCount(), catalog.allFiles(), catalog.feedback(), catalog.loadProfile(),
                        catalog.integrityCheck());
    for (const auto& track : catalog.allTracks())
    {
        juce::ignoreUnused (catalog.findById (track.id), catalog.findByPath (track.path),
                            catalog.findByFingerprint (track.fingerprint), track.summary.toVector());
    }
}
} // namespace

extern "C" int LLVMFuzzerInitialize (int* argc, char*** argv);

extern "C" int LLVMFuzzerInitialize (int*, char***)
{
    folder = juce::File::createTempFile ("earshot-fuzz-catalog");
    if (! folder.createDirectory())
        std::abort();
    std::atexit ([] { folder.deleteRecursively(); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size)
{
    const auto file = folder.getChildFile ("catalog.db");
    removeCatalogFiles (file);
    if (! file.replaceWithData (data, size))
        std::abort();

    std::string error;
    if (auto catalog = earshot::Catalog::open (file.getFullPathName().toStdString(), error))
    {
        readEverything (*catalog);
    }
    else
    {
        if (error.empty())
            __builtin_trap(); // refused without a reason
        juce::MemoryBlock after;
        if (! file.loadFileAsData (after) || after != juce::MemoryBlock (data, size))
            __builtin_trap(); // a refused catalog was written to
        if (juce::File (file.getFullPathName() + "-wal").exists() ||
            juce::File (file.getFullPathName() + "-journal").exists())
            __builtin_trap();
    }

    removeCatalogFiles (file);
    return 0;
}
