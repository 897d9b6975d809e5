// Internal to the core (not installed): scratch storage reused between calls.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace galforge::detail {

// v.data() with at least n elements. v never shrinks: thread-local scratch used by calls of different
// sizes (components, windows) is not value-initialised again each time it grows back.
template <class T>
T* grown(std::vector<T>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

// Large vectors kept by each thread between fits. A fit allocates megabytes (Jacobian planes, model
// images) that the allocator often returns to the system when the fit ends, so that every fit pays
// page faults again (~1,300 per 256x256 fit called from Python, ~5 ms of system time); vectors taken
// from and given back to this pool keep their pages.
template <class T>
class BufferPool {
public:
    // A vector of size 0 holding the largest capacity kept (none: a new vector).
    static std::vector<T> take() {
        std::vector<std::vector<T>>& kept = pool();
        if (kept.empty()) return {};
        std::vector<T> v = std::move(kept.back());
        kept.pop_back();
        bytes() -= v.capacity() * sizeof(T);
        v.clear();
        return v;
    }

    // Keeps v's storage for a later take() on this thread, within kMaxBytes per thread and type; the
    // pool stays sorted by capacity so that take() returns the largest.
    static void give(std::vector<T>&& v) {
        const std::size_t size = v.capacity() * sizeof(T);
        if (size == 0 || bytes() + size > kMaxBytes) return;
        std::vector<std::vector<T>>& kept = pool();
        auto at = kept.begin();
        while (at != kept.end() && at->capacity() < v.capacity()) ++at;
        kept.insert(at, std::move(v));
        bytes() += size;
    }

private:
    static constexpr std::size_t kMaxBytes = std::size_t(64) << 20;
    static std::vector<std::vector<T>>& pool() {
        thread_local std::vector<std::vector<T>> kept;
        return kept;
    }
    static std::size_t& bytes() {
        thread_local std::size_t total = 0;
        return total;
    }
};

}  // namespace galforge::detail
