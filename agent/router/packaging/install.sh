#!/bin/sh
# Installs the FlexACS agent from this folder (the output of `npm run build:agent`):
#   sh install.sh            systemd or OpenWrt procd, detected
# Needs Node.js >= 20 on the router (`node` in PATH). Re-running it upgrades
# agent.js and keeps /etc/flexacs/ (configuration, credentials, state).
# Packagers: PREFIX (/opt/flexacs-agent), ETC (/etc/flexacs), SERVICE (auto | systemd | procd | none).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/opt/flexacs-agent}
etc=${ETC:-/etc/flexacs}
service=${SERVICE:-auto}
if [ "$service" = auto ]; then
	if [ -d /etc/systemd/system ] && command -v systemctl >/dev/null 2>&1; then service=systemd
	elif [ -f /etc/rc.common ]; then service=procd
	else service=none
	fi
fi

command -v node >/dev/null 2>&1 || { echo "install.sh: node (>= 20) is not installed" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "install.sh: node $major found, 20 or later needed" >&2; exit 1; }

# The shipped files name the default locations; other ones are substituted in.
paths() { sed "s|/opt/flexacs-agent|$prefix|g; s|/etc/flexacs|$etc|g" "$1"; }

mkdir -p "$prefix" "$etc"
chmod 700 "$etc"
cp "$here/agent.js" "$here/package.json" "$here/THIRD-PARTY-LICENSES.txt" "$prefix/"
if [ ! -f "$etc/agent.json" ]; then
	(umask 077 && paths "$here/agent.example.json" > "$etc/agent.json")
	echo "install.sh: wrote $etc/agent.json from the example: edit it (ACS URL, interfaces, Wi-Fi, commands)"
fi
if [ ! -f "$etc/credentials.json" ]; then
	(umask 077 && printf '{ "username": "", "password": "" }\n' > "$etc/credentials.json")
	echo "install.sh: wrote $etc/credentials.json: put the ACS bootstrap username and password in it"
fi

if [ "$service" = systemd ]; then
	paths "$here/flexacs-agent.service" > /etc/systemd/system/flexacs-agent.service
	systemctl daemon-reload
	systemctl enable flexacs-agent.service
	echo "install.sh: systemd unit installed; check with: node $prefix/agent.js --check --config $etc/agent.json"
	echo "            then: systemctl restart flexacs-agent && journalctl -u flexacs-agent -f"
elif [ "$service" = procd ]; then
	paths "$here/flexacs-agent.init" > /etc/init.d/flexacs-agent
	chmod 755 /etc/init.d/flexacs-agent
	/etc/init.d/flexacs-agent enable
	echo "install.sh: procd service installed; check with: node $prefix/agent.js --check --config $etc/agent.json"
	echo "            then: /etc/init.d/flexacs-agent restart && logread -f -e flexacs"
else
	echo "install.sh: no service installed; run: node $prefix/agent.js --config $etc/agent.json"
fi
