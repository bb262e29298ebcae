#!/usr/bin/env bash
# Runs nginx (one worker, keep-alive) on 127.0.0.1:PORT serving /1k, /20k
# and /200k of random bytes from DIR, as a reference server for `bench http`
# and wrk; with PROTOCOL h2c, HTTP/2 with prior knowledge (for h2load); with
# h2, https with HTTP/2 by ALPN, from DIR/cert.pem and DIR/key.pem (`bench
# cert --out DIR` writes them). Foreground until killed; `exec` keeps the
# PID that of nginx.
#
#   tools/scripts/nginx-target.sh PORT DIR [CPU] [h2c|h2]
set -euo pipefail
port=$1
dir=$2
cpu=${3:-}
listen_options=""
tls=""
case "${4:-}" in
  h2c) listen_options=" http2" ;;
  h2)
    listen_options=" ssl http2"
    tls="ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem;"
    ;;
esac
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "nginx is not installed (apt-get install nginx-light)" >&2; exit 3; }
mkdir -p "$dir/root" "$dir/tmp"
chmod 755 "$dir" "$dir/root"
for spec in 1k:1024 20k:20480 200k:204800; do
  head -c "${spec#*:}" /dev/urandom >"$dir/root/${spec%%:*}"
done
chmod 644 "$dir/root/"*
affinity=""
[ -n "$cpu" ] && affinity="worker_cpu_affinity $(printf '1%0*d' "$cpu" 0);"
cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
$affinity
user root;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  default_type application/octet-stream;
  sendfile on; tcp_nodelay on;
  open_file_cache max=16 inactive=600s; open_file_cache_valid 600s;
  keepalive_timeout 65; keepalive_requests 1000000;
  http2_max_concurrent_streams 128;
  server { listen 127.0.0.1:$port$listen_options; root $dir/root; $tls }
}
CONF
exec "$nginx" -c "$dir/nginx.conf" -p "$dir"
