# berth — see README.md. Everything here runs as root on Debian 12.
SHELL := /bin/bash
PREFIX ?= /usr/local
APT_PACKAGES := runc conmon iptables iproute2 busybox-static tini xz-utils bzip2 zstd tmux docker.io skopeo debootstrap docker-registry apache2-utils chromium openssl curl python3-docker docker-compose
NODE_GYP := node $(shell dirname $$(dirname $$(readlink -f $$(which npm))))/node_modules/node-gyp/bin/node-gyp.js
DEMO_SOCK := /run/berth/berth.sock
DEMO_LOG := /var/log/berthd.log

.PHONY: all deps build native test unit integration depcheck demo install bench clean

all: build

# System packages berth needs at run time and its tests compare against.
deps: .deps-stamp
.deps-stamp: Makefile
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

# npm install rather than npm ci: node-unix-socket names optional per-platform
# packages that are not published, which npm ci reports as a lockfile mismatch.
node_modules/.stamp: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

native: native/build/Release/berth_sys.node dist/berth-launch
native/build/Release/berth_sys.node: native/berth_sys.c native/binding.gyp
	$(NODE_GYP) rebuild -C native --nodedir=/usr >/dev/null

# bin/berth's launcher: hands commands to the warm CLI pool (src/cli-pool) instead of starting Node.
dist/berth-launch: native/berth-launch.c
	@mkdir -p dist
	$(CC) -O2 -std=gnu11 -Wall -Wextra -o $@ $<

build: node_modules/.stamp native
	npx tsc -p tsconfig.json
	node dist/scripts/bundle-cli.js .
	npx tsc -p src/dashboard/web/tsconfig.json
	node dist/scripts/bundle-dashboard.js .
	npx tsc -p src/registry/console/web/tsconfig.json
	node dist/scripts/bundle-registry-console.js .
	@printf '{"commit":"%s"}\n' "$$(git rev-parse HEAD 2>/dev/null || true)" > dist/version.json

depcheck: build
	node dist/scripts/depcheck.js .

unit: build
	node --test $$(find dist/src dist/scripts -name '*.test.js' | sort)

# Test files run two at a time: each integration file has its own daemons, data
# roots, bridges and subnets, and most of a file's time is spent waiting on
# containers, so two share 2 cores well (34 → 19 min on this project's machine).
TEST_CONCURRENCY ?= 2

# The busybox rootfs every integration test imports, made once per run (reproducible, so sharing is safe).
TEST_BUSYBOX_TAR = $(CURDIR)/dist/test-busybox.tar
integration: build
	scripts/busybox-rootfs.sh $(TEST_BUSYBOX_TAR)
	BERTH_TEST_BUSYBOX_TAR=$(TEST_BUSYBOX_TAR) node --test --test-concurrency=$(TEST_CONCURRENCY) $$(find dist/test -name '*.test.js' | sort)

test: deps build depcheck
	scripts/busybox-rootfs.sh $(TEST_BUSYBOX_TAR)
	BERTH_TEST_BUSYBOX_TAR=$(TEST_BUSYBOX_TAR) node --test --test-concurrency=$(TEST_CONCURRENCY) $$(find dist/src dist/scripts dist/test -name '*.test.js' | sort)

# The commands, plus berthd's systemd units (socket-activated, see contrib/). Without
# systemd running, the units are installed but not enabled; start berthd by hand.
SYSTEMD_DIR ?= /etc/systemd/system
# Where the docker CLI looks for plugins: `docker compose …` then runs berth compose.
DOCKER_PLUGIN_DIR ?= $(PREFIX)/lib/docker/cli-plugins
install: build
	ln -sf $(CURDIR)/bin/berth $(PREFIX)/bin/berth
	ln -sf $(CURDIR)/bin/berthd $(PREFIX)/bin/berthd
	install -d -m 755 $(DOCKER_PLUGIN_DIR)
	ln -sf $(CURDIR)/bin/docker-compose $(DOCKER_PLUGIN_DIR)/docker-compose
	install -d -m 755 $(DESTDIR)$(SYSTEMD_DIR) $(DESTDIR)/etc/berth
	sed 's|@PREFIX@|$(PREFIX)|g' contrib/berthd.service > $(DESTDIR)$(SYSTEMD_DIR)/berthd.service
	install -m 644 contrib/berthd.socket $(DESTDIR)$(SYSTEMD_DIR)/berthd.socket
	@if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable berthd.socket berthd.service; \
	  else echo "systemd is not running here: units installed in $(SYSTEMD_DIR), not enabled"; fi

# Starts berthd in the background (unless one already answers), makes the
# busybox image from Debian's busybox-static, and shows it.
demo: deps build install
	@if berth version >/dev/null 2>&1; then echo "berthd is already running"; else \
	  echo "starting berthd (log: $(DEMO_LOG))"; \
	  nohup berthd >>$(DEMO_LOG) 2>&1 & \
	  for i in $$(seq 50); do berth version >/dev/null 2>&1 && break; sleep 0.2; done; \
	fi
	@berth image inspect busybox:latest >/dev/null 2>&1 || { \
	  scripts/busybox-rootfs.sh /tmp/berth-busybox.tar && \
	  berth import -c 'CMD ["sh"]' -m 'busybox from Debian busybox-static' /tmp/berth-busybox.tar busybox:latest && \
	  rm -f /tmp/berth-busybox.tar; }
	berth images
	berth image inspect busybox:latest
	berth history busybox
	berth run --rm busybox sh -c 'echo "hello from a berth container: $$(hostname), $$(ip -4 -o addr show eth0 | awk "{print \$$4}")"'
	@echo
	@echo "berthd is running: socket $(DEMO_SOCK), log $(DEMO_LOG), data under /var/lib/berth."
	@echo "Try: berth run -it busybox sh, berth ps -a, berth images, DOCKER_HOST=unix://$(DEMO_SOCK) docker ps -a"

bench: deps build
	node dist/bench/run.js

clean:
	rm -rf dist native/build .deps-stamp
