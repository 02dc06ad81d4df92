/**
 * The /etc/passwd and /etc/group an image ships, as far as `--user` and `exec -u` need them: the
 * daemon resolves a user name in the container's own files (moby/sys/user), so `--user daemon`
 * works in busybox and `--user nosuch` fails at start with Docker's text. The real busybox image
 * is built with BUSYBOX_ACCOUNTS, so the simulator and the real plane resolve the same names.
 */
export interface ImageAccounts {
  passwd: string;
  group: string;
}

/** Docker Hub's busybox image (buildroot's skeleton). */
export const BUSYBOX_ACCOUNTS: ImageAccounts = {
  passwd: [
    'root:x:0:0:root:/root:/bin/sh',
    'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
    'bin:x:2:2:bin:/bin:/bin/false',
    'sys:x:3:3:sys:/dev:/bin/false',
    'sync:x:4:100:sync:/bin:/bin/sync',
    'mail:x:8:8:mail:/var/spool/mail:/bin/false',
    'www-data:x:33:33:www-data:/var/www:/bin/false',
    'operator:x:37:37:Operator:/var:/bin/false',
    'nobody:x:65534:65534:nobody:/home:/bin/false',
    '',
  ].join('\n'),
  group: [
    'root:x:0:',
    'daemon:x:1:',
    'bin:x:2:',
    'sys:x:3:',
    'adm:x:4:',
    'tty:x:5:',
    'disk:x:6:',
    'lp:x:7:',
    'mail:x:8:',
    'kmem:x:9:',
    'wheel:x:10:root',
    'cdrom:x:11:',
    'dialout:x:18:',
    'floppy:x:19:',
    'video:x:28:',
    'audio:x:29:',
    'tape:x:32:',
    'www-data:x:33:',
    'operator:x:37:',
    'utmp:x:43:',
    'plugdev:x:46:',
    'staff:x:50:',
    'lock:x:54:',
    'netdev:x:82:',
    'users:x:100:',
    'nogroup:x:65534:',
    '',
  ].join('\n'),
};

/** Alpine's base system accounts (alpine-baselayout). */
export const ALPINE_ACCOUNTS: ImageAccounts = {
  passwd: [
    'root:x:0:0:root:/root:/bin/sh',
    'bin:x:1:1:bin:/bin:/sbin/nologin',
    'daemon:x:2:2:daemon:/sbin:/sbin/nologin',
    'lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin',
    'sync:x:5:0:sync:/sbin:/bin/sync',
    'shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown',
    'halt:x:7:0:halt:/sbin:/sbin/halt',
    'mail:x:8:12:mail:/var/mail:/sbin/nologin',
    'news:x:9:13:news:/usr/lib/news:/sbin/nologin',
    'uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin',
    'cron:x:16:16:cron:/var/spool/cron:/sbin/nologin',
    'ftp:x:21:21::/var/lib/ftp:/sbin/nologin',
    'sshd:x:22:22:sshd:/dev/null:/sbin/nologin',
    'games:x:35:35:games:/usr/games:/sbin/nologin',
    'ntp:x:123:123:NTP:/var/empty:/sbin/nologin',
    'guest:x:405:100:guest:/dev/null:/sbin/nologin',
    'nobody:x:65534:65534:nobody:/:/sbin/nologin',
    '',
  ].join('\n'),
  group: [
    'root:x:0:root',
    'bin:x:1:root,bin,daemon',
    'daemon:x:2:root,bin,daemon',
    'sys:x:3:root,bin',
    'adm:x:4:root,daemon',
    'tty:x:5:',
    'disk:x:6:root',
    'lp:x:7:lp',
    'kmem:x:9:',
    'wheel:x:10:root',
    'floppy:x:11:root',
    'mail:x:12:mail',
    'news:x:13:news',
    'uucp:x:14:uucp',
    'cron:x:16:cron',
    'audio:x:18:',
    'cdrom:x:19:',
    'dialout:x:20:root',
    'ftp:x:21:',
    'sshd:x:22:',
    'input:x:23:',
    'tape:x:26:root',
    'video:x:27:root',
    'netdev:x:28:',
    'kvm:x:34:kvm',
    'games:x:35:',
    'shadow:x:42:',
    'www-data:x:82:',
    'users:x:100:games',
    'ntp:x:123:',
    'abuild:x:300:',
    'utmp:x:406:',
    'ping:x:999:',
    'nogroup:x:65533:',
    'nobody:x:65534:',
    '',
  ].join('\n'),
};

/** Debian's base-passwd, for the Debian-based official images. */
const DEBIAN_PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'bin:x:2:2:bin:/bin:/usr/sbin/nologin',
  'sys:x:3:3:sys:/dev:/usr/sbin/nologin',
  'sync:x:4:65534:sync:/bin:/bin/sync',
  'games:x:5:60:games:/usr/games:/usr/sbin/nologin',
  'man:x:6:12:man:/var/cache/man:/usr/sbin/nologin',
  'lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin',
  'mail:x:8:8:mail:/var/mail:/usr/sbin/nologin',
  'news:x:9:9:news:/var/spool/news:/usr/sbin/nologin',
  'uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin',
  'proxy:x:13:13:proxy:/bin:/usr/sbin/nologin',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'backup:x:34:34:backup:/var/backups:/usr/sbin/nologin',
  'list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin',
  'irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin',
  '_apt:x:42:65534::/nonexistent:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
];
const DEBIAN_GROUP = [
  'root:x:0:', 'daemon:x:1:', 'bin:x:2:', 'sys:x:3:', 'adm:x:4:', 'tty:x:5:', 'disk:x:6:', 'lp:x:7:', 'mail:x:8:', 'news:x:9:',
  'uucp:x:10:', 'man:x:12:', 'proxy:x:13:', 'kmem:x:15:', 'dialout:x:20:', 'fax:x:21:', 'voice:x:22:', 'cdrom:x:24:',
  'floppy:x:25:', 'tape:x:26:', 'sudo:x:27:', 'audio:x:29:', 'dip:x:30:', 'www-data:x:33:', 'backup:x:34:', 'operator:x:37:',
  'list:x:38:', 'irc:x:39:', 'src:x:40:', 'shadow:x:42:', 'utmp:x:43:', 'video:x:44:', 'sasl:x:45:', 'plugdev:x:46:',
  'staff:x:50:', 'games:x:60:', 'users:x:100:', 'nogroup:x:65534:',
];

/** Debian's accounts plus the service account the official image adds. */
function debianWith(extraPasswd: string[], extraGroup: string[]): ImageAccounts {
  return { passwd: [...DEBIAN_PASSWD, ...extraPasswd, ''].join('\n'), group: [...DEBIAN_GROUP, ...extraGroup, ''].join('\n') };
}

/** The accounts of a catalogue image, by repository (tags of one repository share them here). */
export const IMAGE_ACCOUNTS: Record<string, ImageAccounts> = {
  alpine: ALPINE_ACCOUNTS,
  busybox: BUSYBOX_ACCOUNTS,
  nginx: debianWith(['nginx:x:101:101:nginx user:/nonexistent:/bin/false'], ['nginx:x:101:']),
  python: debianWith([], []),
  node: debianWith(['node:x:1000:1000::/home/node:/bin/bash'], ['node:x:1000:']),
  postgres: debianWith(['postgres:x:999:999::/var/lib/postgresql:/bin/bash'], ['postgres:x:999:']),
  redis: debianWith(['redis:x:999:999::/home/redis:/usr/sbin/nologin'], ['redis:x:999:']),
};
