// Fictional French subscribers for the demo: names, addresses in invented
// communes, and the Wi-Fi and PPPoE credentials of their line, drawn from a
// seeded generator so a demo line is the same at every start. No real person
// or place is meant; the credentials exist only in the demo's data directory.

const FIRST_NAMES = [
  "Camille", "Louis", "Manon", "Hugo", "Léa", "Jules", "Chloé", "Gabriel", "Inès", "Arthur", "Zoé", "Raphaël",
  "Lucie", "Nathan", "Clémence", "Théo", "Margaux", "Maël", "Anaïs", "Bastien", "Élise", "Yanis", "Solène", "Antoine",
] as const;
const LAST_NAMES = [
  "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Roux", "Fontaine", "Chevalier", "Lambert", "Faure", "Rousseau",
  "Blanchard", "Guérin", "Marchand", "Perrin", "Mercier", "Boyer", "Gauthier", "Lemoine", "Carpentier", "Vasseur", "Royer", "Aubert",
] as const;
/** Invented communes, put together from common French place-name parts. */
const COMMUNES = [
  "Saint-Aurel-sur-Vionne", "Montvallon", "Bellecombe-les-Prés", "Villeneuve-d'Ambre", "Rochefleur", "Clairmarais-sur-Loue",
  "Sainte-Odile-des-Bois", "Fontbrune", "Pontaubert-la-Rivière", "Mirecourt-sur-Sarne", "Beaulieu-en-Argonne-Vieille", "Lasalle-d'Orcière",
] as const;
const STREETS = [
  "rue des Tilleuls", "avenue Jean Jaurès", "impasse des Vignes", "chemin du Moulin", "place de la Mairie", "rue Victor Hugo",
  "allée des Peupliers", "route de la Gare", "rue du Lavoir", "boulevard Pasteur", "rue des Écoles", "chemin des Crêtes",
] as const;

const pick = <T>(rng: () => number, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/** Letters and digits without look-alikes, as on router stickers. */
const KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
const key = (rng: () => number, length: number): string =>
  Array.from({ length }, () => KEY_ALPHABET[Math.floor(rng() * KEY_ALPHABET.length)]).join("");

export interface Subscriber {
  name: string;
  address: string;
  commune: string;
}

export function subscriberOf(rng: () => number): Subscriber {
  return {
    name: `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`,
    address: `${1 + Math.floor(rng() * 120)} ${pick(rng, STREETS)}`,
    commune: pick(rng, COMMUNES),
  };
}

/** The network name and key a subscriber finds on the router's sticker. */
export function wifiCredentialsOf(rng: () => number): { ssid: string; passphrase: string } {
  return { ssid: `FlexNet-${key(rng, 4).toUpperCase()}`, passphrase: key(rng, 16) };
}

export function pppoeCredentialsOf(lineId: string, rng: () => number): { username: string; password: string } {
  return { username: `${lineId.toLowerCase()}@fibre.flexnet.example`, password: key(rng, 12) };
}
