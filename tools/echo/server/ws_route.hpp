#pragma once
// bench echo's WebSocket endpoint, /echo on the built-in ws server: every
// data message comes back as one message of the same kind (text as text,
// binary as binary) with the same bytes, however it was fragmented. A
// client that stops reading meets backpressure: a full send queue pauses
// reading until there is room again.
#include "tools/ws/server.hpp"

namespace lb {

WsRoute ws_echo_route();

}  // namespace lb
