#pragma once
// bench echo's WebSocket endpoint, /echo on the built-in ws server: every
// data message comes back as one binary message with the same bytes. A
// client that stops reading meets backpressure: a full send queue pauses
// reading until there is room again.
#include "tools/ws/server.hpp"

namespace lb {

WsRoute ws_echo_route();

}  // namespace lb
