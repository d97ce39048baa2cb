#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace earshot
{

/** One search result: a track id and its squared Euclidean distance to the query. */
struct Neighbour
{
    int64_t id = 0;
    float distanceSquared = 0.0f;
};

/** Nearest-neighbour search over fixed-dimension float vectors keyed by track id.

    Thread: one writer at a time with no concurrent search (add/remove/load change the
    structure without locks); const methods may run on several threads at once only
    when nothing writes. The Recommender owns one and calls it from its own thread.
*/
class Index
{
public:
    virtual ~Index() = default;

    /** Adds `vector` (dimension() floats) under `id`, replacing what `id` had.
        Thread: the writer, with no search running. */
    virtual void add (int64_t id, const float* vector) = 0;
    /** @returns false if `id` was not there. Thread: the writer, with no search running. */
    virtual bool remove (int64_t id) = 0;
    /** Thread: any, while nothing writes. */
    virtual bool contains (int64_t id) const = 0;
    /** The `k` nearest (fewer if the index is smaller), nearest first. Exact for
        ExactIndex; approximate (see ApproximateIndex) otherwise. Thread: any, while
        nothing writes. */
    virtual std::vector<Neighbour> search (const float* query, size_t k) const = 0;
    /** How many vectors are searchable (removed ones are not counted). Thread: any, while nothing writes. */
    virtual size_t size() const = 0;
    virtual size_t dimension() const = 0;

    /** Writes the index to `path` (atomically: a temporary file renamed over it).
        @returns false with `error` set (one line) on failure. Thread: any, while nothing writes. */
    virtual bool save (const std::string& path, std::string& error) const = 0;
    /** Replaces the contents with what save() wrote. @returns false with `error` set,
        the index unchanged, if the file is missing, damaged or of another dimension.
        Thread: the writer, with no search running. */
    virtual bool load (const std::string& path, std::string& error) = 0;
};

/** Brute force over contiguous storage: exact, no build cost; O(n * dimension) per
    query, which stays under a millisecond for small catalogs (see RecommendBenchmark). */
class ExactIndex final : public Index
{
public:
    explicit ExactIndex (size_t dimension);

    void add (int64_t id, const float* vector) override;
    bool remove (int64_t id) override;
    bool contains (int64_t id) const override { return slots.count (id) > 0; }
    std::vector<Neighbour> search (const float* query, size_t k) const override;
    size_t size() const override { return ids.size(); }
    size_t dimension() const override { return dims; }
    bool save (const std::string& path, std::string& error) const override;
    bool load (const std::string& path, std::string& error) override;

private:
    size_t dims;
    /** The fastest squared-L2 kernel for this CPU (see Distance.h; it reads `dims` as its parameter). */
    float (*distance) (const void*, const void*, const void*) = nullptr;
    std::vector<float> vectors; // ids.size() rows of dims
    std::vector<int64_t> ids;
    std::unordered_map<int64_t, size_t> slots;
};

/** Hierarchical navigable small-world graph (hnswlib, L2): sub-millisecond queries
    on large catalogs at a small loss of recall, which `ef` trades against speed.

    Items are added incrementally (the capacity doubles as needed); a removal only
    marks the item deleted (hnswlib's markDelete), so its slot stays until the index
    is rebuilt; adding the same id again revives and moves it. Every item stays
    reachable by a search (hnswlib alone leaves about 1 in 1000 unlinked; see
    HnswGraph::linkUnreachable). Builds are deterministic for a given order of adds
    on one thread (fixed seed).
*/
class ApproximateIndex final : public Index
{
public:
    struct Settings
    {
        // Chosen on 1M standard-normal vectors of the embedding's dimension (see
        // BENCHMARKS.md): M 32 / efConstruction 200 reaches recall@10 0.97 at ef 384,
        // p99 1.0 ms; M 24 / efConstruction 100 needed ef 768 and p99 1.5 ms (2.2 ms on
        // a loaded machine) for 0.96. The denser graph costs about twice the build time
        // (254 s for 1M on 2 threads) and 13 % more memory.

        /** Links per node (2x on the bottom layer): more is better recall, more memory. */
        size_t m = 32;
        /** Candidate list while inserting: more is a better graph, a slower build. */
        size_t efConstruction = 200;
        /** Candidate list while searching (at least k): recall against latency. 384 finds
            0.97 of the true 10 nearest at 1M tracks (p99 1.0 ms), 0.996 at 100k (0.5 ms). */
        size_t efSearch = 384;
    };

    explicit ApproximateIndex (size_t dimension);
    ApproximateIndex (size_t dimension, Settings settings);
    ~ApproximateIndex() override;

    /** A new id costs one insert; replacing the vector of an id it has costs a pass
        over the graph as well (hnswlib's update may unlink any item). Thread: the
        writer, with no search running. */
    void add (int64_t id, const float* vector) override;
    /** Adds many at once: new ids on `threads` threads, each at the level its place in
        the batch draws (so with 1 thread, a batch of new ids builds the graph the same
        add() calls build; more threads make it depend on scheduling), then the ids it
        already has or that repeat, one by one in batch order (the last vector wins),
        then one pass that links any item left unreachable.
        Thread: the writer, with no search running. */
    void addBatch (const std::vector<int64_t>& ids, const float* vectors, int threads);
    bool remove (int64_t id) override;
    bool contains (int64_t id) const override;
    std::vector<Neighbour> search (const float* query, size_t k) const override;
    size_t size() const override;
    size_t dimension() const override { return dims; }
    bool save (const std::string& path, std::string& error) const override;
    bool load (const std::string& path, std::string& error) override;

    /** Changes the search candidate list (see Settings::efSearch). Thread: the writer, with no search running. */
    void setEfSearch (size_t ef);
    const Settings& settings() const { return config; }
    /** Bytes the graph and its vectors hold (hnswlib's own allocations). Thread: any, while nothing writes. */
    size_t memoryBytes() const;

private:
    struct Impl;
    size_t dims;
    Settings config;
    std::unique_ptr<Impl> impl;
};

} // namespace earshot
