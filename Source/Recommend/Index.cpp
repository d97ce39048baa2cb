#include "Recommend/Index.h"

#include "Recommend/Distance.h"
#include "Recommend/HnswGraph.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <queue>
#include <random>
#include <thread>
#include <unordered_set>

namespace earshot
{
namespace
{
constexpr char exactMagic[4] = { 'E', 'S', 'X', 'I' };
constexpr uint32_t exactVersion = 1;

template <typename T>
void writeValue (std::ostream& out, const T& value)
{
    out.write (reinterpret_cast<const char*> (&value), sizeof (T));
}

template <typename T>
bool readValue (std::istream& in, T& value)
{
    return static_cast<bool> (in.read (reinterpret_cast<char*> (&value), sizeof (T)));
}

/** Writes through `write` into a temporary file and renames it over `path`, so a
    reader (or a crash) sees the old file or the new one, never half of one. */
template <typename Writer>
bool writeAtomically (const std::string& path, std::string& error, Writer&& write)
{
    const auto temporary = path + ".tmp";
    if (! write (temporary) || std::rename (temporary.c_str(), path.c_str()) != 0)
    {
        std::remove (temporary.c_str());
        error = "cannot write " + path;
        return false;
    }
    return true;
}

struct FartherFirst
{
    bool operator() (const Neighbour& a, const Neighbour& b) const { return a.distanceSquared < b.distanceSquared; }
};
} // namespace

ExactIndex::ExactIndex (size_t dimension)
    : dims (dimension)
    , distance (fastestSquaredDistance().function)
{
}

void ExactIndex::add (int64_t id, const float* vector)
{
    const auto [slot, inserted] = slots.emplace (id, ids.size());
    if (inserted)
    {
        ids.push_back (id);
        vectors.insert (vectors.end(), vector, vector + dims);
    }
    else
    {
        std::copy (vector, vector + dims, vectors.begin() + static_cast<std::ptrdiff_t> (slot->second * dims));
    }
}

bool ExactIndex::remove (int64_t id)
{
    const auto found = slots.find (id);
    if (found == slots.end())
        return false;
    // Move the last row into the hole so storage stays contiguous.
    const auto hole = found->second, last = ids.size() - 1;
    if (hole != last)
    {
        std::copy_n (vectors.begin() + static_cast<std::ptrdiff_t> (last * dims), dims,
                     vectors.begin() + static_cast<std::ptrdiff_t> (hole * dims));
        ids[hole] = ids[last];
        slots[ids[hole]] = hole;
    }
    ids.pop_back();
    vectors.resize (ids.size() * dims);
    slots.erase (found);
    return true;
}

std::vector<Neighbour> ExactIndex::search (const float* query, size_t k) const
{
    // A max-heap of the k best so far: one comparison per row once it is full.
    std::vector<Neighbour> heap;
    heap.reserve (k + 1);
    for (size_t row = 0; row < ids.size() && k > 0; ++row)
    {
        const auto d = distance (query, vectors.data() + row * dims, &dims);
        if (heap.size() < k)
        {
            heap.push_back ({ ids[row], d });
            std::push_heap (heap.begin(), heap.end(), FartherFirst {});
        }
        else if (d < heap.front().distanceSquared)
        {
            std::pop_heap (heap.begin(), heap.end(), FartherFirst {});
            heap.back() = { ids[row], d };
            std::push_heap (heap.begin(), heap.end(), FartherFirst {});
        }
    }
    std::sort_heap (heap.begin(), heap.end(), FartherFirst {});
    return heap;
}

bool ExactIndex::save (const std::string& path, std::string& error) const
{
    return writeAtomically (path, error,
                            [this] (const std::string& file)
                            {
                                std::ofstream out (file, std::ios::binary);
                                out.write (exactMagic, sizeof (exactMagic));
                                writeValue (out, exactVersion);
                                writeValue (out, static_cast<uint64_t> (dims));
                                writeValue (out, static_cast<uint64_t> (ids.size()));
                                out.write (reinterpret_cast<const char*> (ids.data()),
                                           static_cast<std::streamsize> (ids.size() * sizeof (int64_t)));
                                out.write (reinterpret_cast<const char*> (vectors.data()),
                                           static_cast<std::streamsize> (vectors.size() * sizeof (float)));
                                return static_cast<bool> (out.flush());
                            });
}

bool ExactIndex::load (const std::string& path, std::string& error)
{
    std::ifstream in (path, std::ios::binary | std::ios::ate);
    if (! in)
        return (error = "cannot read " + path, false);
    const auto fileSize = static_cast<uint64_t> (in.tellg());
    in.seekg (0);

    char magic[4] = {};
    uint32_t version = 0;
    uint64_t fileDims = 0, count = 0;
    constexpr uint64_t headerSize = sizeof (magic) + sizeof (version) + 2 * sizeof (uint64_t);
    if (! in.read (magic, sizeof (magic)) || std::memcmp (magic, exactMagic, sizeof (magic)) != 0 ||
        ! readValue (in, version) || version != exactVersion || ! readValue (in, fileDims) || fileDims != dims ||
        ! readValue (in, count) || fileSize != headerSize + count * (sizeof (int64_t) + dims * sizeof (float)))
        return (error = path + " is not an Earshot exact index of dimension " + std::to_string (dims), false);

    std::vector<int64_t> newIds (count);
    std::vector<float> newVectors (count * dims);
    std::unordered_map<int64_t, size_t> newSlots;
    in.read (reinterpret_cast<char*> (newIds.data()), static_cast<std::streamsize> (count * sizeof (int64_t)));
    in.read (reinterpret_cast<char*> (newVectors.data()),
             static_cast<std::streamsize> (newVectors.size() * sizeof (float)));
    for (size_t i = 0; i < newIds.size(); ++i)
        newSlots.emplace (newIds[i], i);
    if (! in || newSlots.size() != newIds.size())
        return (error = path + " is damaged", false);

    ids = std::move (newIds);
    vectors = std::move (newVectors);
    slots = std::move (newSlots);
    return true;
}

struct ApproximateIndex::Impl
{
    explicit Impl (size_t dims)
        : space (dims)
    {
    }

    SquaredL2Space space; // outlives the graph, which points into it
    std::unique_ptr<HnswGraph> graph;
    /** Levels of new elements, drawn on the writer's thread in the order of the adds. */
    std::mt19937_64 levelRandom { 100 };

    void reserve (size_t count)
    {
        if (count > graph->max_elements_)
        {
            graph->resizeIndex (std::max (count, 2 * graph->max_elements_));
            graph->useHugePages();
        }
    }

    /** hnswlib's getRandomLevel: floor (-ln (u) / ln (M)), u uniform in (0, 1]. */
    int drawLevel()
    {
        const auto u = 1.0 - std::uniform_real_distribution<double> (0.0, 1.0) (levelRandom);
        return static_cast<int> (-std::log (u) * graph->mult_);
    }

    /** hnswlib 0.6.2's loadIndex frees uninitialised pointers if it throws, so the
        file is checked here first, the way loadIndex checks it: the header agrees with
        this dimension and the element records add up to exactly the file's size. */
    static bool isLoadable (const std::string& path, size_t dims)
    {
        std::ifstream in (path, std::ios::binary | std::ios::ate);
        if (! in)
            return false;
        const auto fileSize = static_cast<uint64_t> (in.tellg());
        in.seekg (0);
        size_t offsetLevel0 = 0, maxElements = 0, count = 0, perElement = 0, labelOffset = 0, offsetData = 0;
        int maxLevel = 0;
        hnswlib::tableint entryPoint = 0;
        size_t maxM = 0, maxM0 = 0, m = 0, efConstruction = 0;
        double mult = 0.0;
        if (! (readValue (in, offsetLevel0) && readValue (in, maxElements) && readValue (in, count) &&
               readValue (in, perElement) && readValue (in, labelOffset) && readValue (in, offsetData) &&
               readValue (in, maxLevel) && readValue (in, entryPoint) && readValue (in, maxM) &&
               readValue (in, maxM0) && readValue (in, m) && readValue (in, mult) && readValue (in, efConstruction)))
            return false;
        const auto linksLevel0 = maxM0 * sizeof (hnswlib::tableint) + sizeof (hnswlib::linklistsizeint);
        const auto linksPerElement = maxM * sizeof (hnswlib::tableint) + sizeof (hnswlib::linklistsizeint);
        if (offsetLevel0 != 0 || offsetData != linksLevel0 || labelOffset != linksLevel0 + dims * sizeof (float) ||
            perElement != labelOffset + sizeof (hnswlib::labeltype) || count > maxElements || m == 0 || m > 10000 ||
            maxM != m || maxM0 != 2 * m || ! (mult > 0.0) || (count > 0 && entryPoint >= count) ||
            count > fileSize / perElement)
            return false;

        in.seekg (static_cast<std::streamoff> (count * perElement), std::ios::cur);
        for (size_t i = 0; i < count; ++i)
        {
            uint32_t linkListSize = 0;
            if (! readValue (in, linkListSize) || linkListSize % linksPerElement != 0)
                return false;
            in.seekg (linkListSize, std::ios::cur);
        }
        return in && static_cast<uint64_t> (in.tellg()) == fileSize;
    }
};

ApproximateIndex::ApproximateIndex (size_t dimension, Settings settings)
    : dims (dimension)
    , config (settings)
    , impl (std::make_unique<Impl> (dimension))
{
    constexpr size_t initialCapacity = 1024, seed = 100;
    impl->graph = std::make_unique<HnswGraph> (&impl->space, initialCapacity, config.m, config.efConstruction, seed);
    impl->graph->setEf (config.efSearch);
}

ApproximateIndex::ApproximateIndex (size_t dimension)
    : ApproximateIndex (dimension, Settings {})
{
}

ApproximateIndex::~ApproximateIndex() = default;

void ApproximateIndex::add (int64_t id, const float* vector)
{
    auto& graph = *impl->graph;
    const auto label = static_cast<hnswlib::labeltype> (id);
    if (graph.label_lookup_.count (label) == 0)
    {
        impl->reserve (graph.cur_element_count + 1);
        graph.insertAlone (vector, label, impl->drawLevel());
        return;
    }
    graph.addPoint (vector, label); // hnswlib's update (and revival) of an existing label
    graph.linkUnreachable();        // which may have pruned any list
}

void ApproximateIndex::addBatch (const std::vector<int64_t>& ids, const float* vectors, int threads)
{
    auto& graph = *impl->graph;
    // New ids are inserted in parallel, each at a level drawn here in batch order. An
    // id already in the index, or repeated in the batch, is an update: those follow
    // one at a time, in batch order, so the last vector given for an id wins.
    std::vector<size_t> fresh, updates;
    std::vector<int> levels;
    std::unordered_set<hnswlib::labeltype> seen;
    for (size_t i = 0; i < ids.size(); ++i)
    {
        const auto label = static_cast<hnswlib::labeltype> (ids[i]);
        if (graph.label_lookup_.count (label) > 0 || ! seen.insert (label).second)
            updates.push_back (i);
        else
            fresh.push_back (i);
    }
    impl->reserve (graph.cur_element_count + fresh.size());
    levels.reserve (fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i)
        levels.push_back (impl->drawLevel());

    if (threads <= 1)
    {
        // What add() does, so that the graph is the same.
        for (size_t j = 0; j < fresh.size(); ++j)
            graph.insertAlone (vectors + fresh[j] * dims, static_cast<hnswlib::labeltype> (ids[fresh[j]]), levels[j]);
    }
    else
    {
        std::atomic<size_t> next { 0 };
        auto worker = [&]
        {
            for (auto j = next++; j < fresh.size(); j = next++)
                graph.insert (vectors + fresh[j] * dims, static_cast<hnswlib::labeltype> (ids[fresh[j]]), levels[j]);
        };
        std::vector<std::thread> helpers;
        for (int t = 1; t < threads; ++t)
            helpers.emplace_back (worker);
        worker();
        for (auto& helper : helpers)
            helper.join();
    }

    for (auto i : updates)
        graph.addPoint (vectors + i * dims, static_cast<hnswlib::labeltype> (ids[i]));
    if (threads > 1 || ! updates.empty())
        graph.linkUnreachable();
}

bool ApproximateIndex::remove (int64_t id)
{
    if (! contains (id))
        return false;
    impl->graph->markDelete (static_cast<hnswlib::labeltype> (id));
    return true;
}

bool ApproximateIndex::contains (int64_t id) const
{
    const auto& graph = *impl->graph;
    const auto found = graph.label_lookup_.find (static_cast<hnswlib::labeltype> (id));
    return found != graph.label_lookup_.end() && ! graph.isMarkedDeleted (found->second);
}

std::vector<Neighbour> ApproximateIndex::search (const float* query, size_t k) const
{
    if (k == 0)
        return {};
    auto found = impl->graph->searchKnn (query, k);
    std::vector<Neighbour> result (found.size());
    // The queue gives the farthest first.
    for (auto i = result.size(); i-- > 0; found.pop())
        result[i] = { static_cast<int64_t> (found.top().second), found.top().first };
    return result;
}

size_t ApproximateIndex::size() const
{
    return impl->graph->cur_element_count - impl->graph->num_deleted_;
}

bool ApproximateIndex::save (const std::string& path, std::string& error) const
{
    return writeAtomically (path, error,
                            [this] (const std::string& file)
                            {
                                impl->graph->saveIndex (file);
                                return std::ifstream (file).good();
                            });
}

bool ApproximateIndex::load (const std::string& path, std::string& error)
{
    if (! Impl::isLoadable (path, dims))
        return (error = path + " is not an approximate index of dimension " + std::to_string (dims), false);

    auto loaded = std::make_unique<HnswGraph> (&impl->space);
    // The loading constructor leaves these unset (hnswlib 0.6.2).
    loaded->num_deleted_ = 0;
    loaded->cur_element_count = 0;
    loaded->data_level0_memory_ = nullptr;
    loaded->linkLists_ = nullptr;
    loaded->visited_list_pool_ = nullptr;
    try
    {
        loaded->loadIndex (path, &impl->space);
        loaded->padUpperLayers();
        loaded->useHugePages();
    }
    catch (const std::exception& e)
    {
        return (error = path + ": " + e.what(), false);
    }
    config.m = loaded->M_;
    config.efConstruction = loaded->ef_construction_;
    loaded->setEf (config.efSearch);
    impl->graph = std::move (loaded);
    return true;
}

void ApproximateIndex::setEfSearch (size_t ef)
{
    config.efSearch = ef;
    impl->graph->setEf (ef);
}

size_t ApproximateIndex::memoryBytes() const
{
    const auto& g = *impl->graph;
    size_t upperLayers = 0;
    for (size_t i = 0; i < g.cur_element_count; ++i)
        if (g.element_levels_[i] > 0)
            upperLayers += g.upperLayerBytes (g.element_levels_[i]);
    // Base layer (links, vector, label per slot), upper-layer links, per-slot pointer,
    // level, lock and visited mark, the update locks and the label map's nodes and buckets.
    const auto perSlot =
        g.size_data_per_element_ + sizeof (char*) + sizeof (int) + sizeof (std::mutex) + sizeof (hnswlib::vl_type);
    const auto labelMap = g.label_lookup_.size() * (sizeof (void*) + sizeof (std::pair<size_t, unsigned>)) +
                          g.label_lookup_.bucket_count() * sizeof (void*);
    return g.max_elements_ * perSlot + upperLayers + HnswGraph::max_update_element_locks * sizeof (std::mutex) +
           labelMap;
}

} // namespace earshot
