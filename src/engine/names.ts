/**
 * Docker's generated container names (moby pkg/namesgenerator): `adjective_surname`, never
 * `boring_wozniak`. A subset of the upstream word lists keeps the bundle small.
 */
import { randomInt, type Random } from '../core/ports.js';

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful',
  'blissful', 'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent',
  'condescending', 'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined', 'distracted',
  'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent', 'epic', 'exciting',
  'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted',
  'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible',
  'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless',
  'quirky', 'quizzical', 'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp',
  'silly', 'sleepy', 'stoic', 'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty',
  'trusting', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial',
  'youthful', 'zealous', 'zen',
];

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'aryabhata', 'austin',
  'babbage', 'banach', 'bardeen', 'bartik', 'bassi', 'bell', 'bhabha', 'bhaskara', 'blackwell',
  'bohr', 'booth', 'borg', 'bose', 'boyd', 'brahmagupta', 'brattain', 'brown', 'carson', 'cerf',
  'chandrasekhar', 'chaplygin', 'chatelet', 'chatterjee', 'chaum', 'clarke', 'colden', 'cori',
  'cray', 'curie', 'darwin', 'davinci', 'dijkstra', 'dirac', 'driscoll', 'dubinsky', 'easley',
  'edison', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi',
  'feynman', 'franklin', 'gagarin', 'galileo', 'galois', 'gates', 'gauss', 'goldberg', 'goldstine',
  'goldwasser', 'goodall', 'hamilton', 'haslett', 'hawking', 'heisenberg', 'hellman', 'hermann',
  'hertz', 'hodgkin', 'hofstadter', 'hoover', 'hopper', 'hugle', 'hypatia', 'jackson', 'jang',
  'jennings', 'jepsen', 'johnson', 'joliot', 'jones', 'kalam', 'kare', 'keldysh', 'keller',
  'kepler', 'khorana', 'kilby', 'kirch', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport',
  'leakey', 'leavitt', 'lederberg', 'lehmann', 'lewin', 'lichterman', 'liskov', 'lovelace',
  'lumiere', 'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy', 'mcclintock',
  'mclean', 'mcnulty', 'meitner', 'mendel', 'mendeleev', 'meninsky', 'merkle', 'mestorf',
  'mirzakhani', 'montalcini', 'moore', 'morse', 'moser', 'murdock', 'napier', 'nash', 'neumann',
  'newton', 'nightingale', 'nobel', 'noether', 'northcutt', 'noyce', 'panini', 'pare', 'pascal',
  'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'poitras', 'proskuriakova', 'ptolemy', 'raman',
  'ramanujan', 'rhodes', 'ride', 'ritchie', 'robinson', 'roentgen', 'rosalind', 'rubin', 'saha',
  'sammet', 'sanderson', 'satoshi', 'shamir', 'shannon', 'shaw', 'shirley', 'shockley', 'shtern',
  'sinoussi', 'snyder', 'solomon', 'spence', 'stonebraker', 'sutherland', 'swanson', 'swartz',
  'swirles', 'taussig', 'tesla', 'tharp', 'thompson', 'torvalds', 'tu', 'turing', 'varahamihira',
  'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles', 'williams',
  'williamson', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow', 'yonath', 'zhukovsky',
];

export function generateName(random: Random, retry: number): string {
  for (;;) {
    const name = `${LEFT[randomInt(random, LEFT.length)]}_${RIGHT[randomInt(random, RIGHT.length)]}`;
    if (name === 'boring_wozniak') continue;
    // Docker appends a digit on retries after a collision.
    return retry > 0 ? `${name}${randomInt(random, 10)}` : name;
  }
}

/** Docker's container name rule (daemon/names.go). */
export const VALID_CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
