#pragma once
// The connections a server keeps, by id, and how one leaves: a connection
// ends from inside its own callbacks, so it is unhooked at once (no id
// finds it again) and freed on the next loop turn, when nothing of it is
// on the stack. Every built-in server (tcp, echo, ws, http) keeps its
// connections in one.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "engine/loop.hpp"

namespace lb {

template <typename Connection>
class ConnectionSet {
 public:
  explicit ConnectionSet(Loop& loop) : loop_(loop) {}

  // A fresh id for a connection accepted now; ids count accepts.
  std::uint64_t next_id() { return next_id_++; }
  std::uint64_t accepted() const { return next_id_; }

  void add(std::uint64_t id, std::unique_ptr<Connection> connection) {
    connections_[id] = std::move(connection);
  }
  Connection* find(std::uint64_t id) const {
    const auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
  }
  // Puts `connection` in the place of `id`'s (a protocol upgrade), freeing
  // the one it replaces on the next turn; nothing when `id` has left.
  void replace(std::uint64_t id, std::unique_ptr<Connection> connection) {
    const auto it = connections_.find(id);
    if (it != connections_.end()) free_next_turn(std::exchange(it->second, std::move(connection)));
  }
  // Unhooks `id` now and frees it on the next turn; false when it has
  // already left.
  bool remove(std::uint64_t id) {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return false;
    free_next_turn(std::move(it->second));
    connections_.erase(it);
    return true;
  }

  bool empty() const { return connections_.empty(); }
  auto begin() const { return connections_.begin(); }
  auto end() const { return connections_.end(); }

 private:
  void free_next_turn(std::unique_ptr<Connection> connection) {
    std::shared_ptr<Connection> dying = std::move(connection);
    loop_.defer([dying] {});
  }

  Loop& loop_;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 0;
};

}  // namespace lb
