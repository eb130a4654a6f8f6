import { randomInt } from 'node:crypto';
import { invalid } from '../../lib/errors.js';

/**
 * Names for containers that are not given one, in Docker's adjective_surname
 * style: a word list of our own, people of science and engineering.
 */
const ADJECTIVES = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const SURNAMES = [
  'agnesi', 'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'aryabhata', 'austin', 'babbage', 'banach',
  'bardeen', 'bartik', 'bassi', 'bell', 'benz', 'bhabha', 'bhaskara', 'blackwell', 'bohr', 'booth', 'borg', 'bose',
  'brahmagupta', 'brattain', 'brown', 'carson', 'cartwright', 'cerf', 'chandrasekhar', 'chatterjee', 'clarke', 'cohen',
  'colden', 'cori', 'cray', 'curie', 'darwin', 'davinci', 'dijkstra', 'dirac', 'easley', 'einstein', 'elbakyan',
  'elgamal', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'gagarin',
  'galileo', 'galois', 'gates', 'gauss', 'germain', 'goldberg', 'goldstine', 'goldwasser', 'goodall', 'hamilton',
  'haslett', 'hawking', 'heisenberg', 'hermann', 'hertz', 'hodgkin', 'hoover', 'hopper', 'hypatia', 'jackson',
  'jang', 'jemison', 'jennings', 'johnson', 'joliot', 'kalam', 'kapitsa', 'keldysh', 'keller', 'kepler', 'khorana',
  'kilby', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lederberg', 'lehmann',
  'lewin', 'liskov', 'lovelace', 'lumiere', 'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy',
  'mcclintock', 'meitner', 'mendel', 'mendeleev', 'merkle', 'mestorf', 'mirzakhani', 'montalcini', 'moore', 'morse',
  'moser', 'napier', 'nash', 'neumann', 'newton', 'nightingale', 'nobel', 'noether', 'northcutt', 'noyce', 'ochoa',
  'panini', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'poitras', 'ptolemy', 'raman',
  'ramanujan', 'rhodes', 'ride', 'ritchie', 'robinson', 'roentgen', 'rosalind', 'rubin', 'saha', 'sammet', 'sanderson',
  'satoshi', 'shamir', 'shannon', 'shaw', 'shirley', 'shockley', 'sinoussi', 'snyder', 'solomon', 'spence',
  'stonebraker', 'sutherland', 'swanson', 'swartz', 'swirles', 'taussig', 'tesla', 'tharp', 'thompson', 'torvalds',
  'tu', 'turing', 'varahamihira', 'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles',
  'williams', 'williamson', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow', 'yonath', 'zhukovsky',
];

export function generateName(retry: number): string {
  const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
  // As Docker: after a collision, add a digit to widen the space.
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validates a requested name and returns it with its leading slash. */
export function normaliseName(name: string): string {
  if (!VALID_NAME.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}
