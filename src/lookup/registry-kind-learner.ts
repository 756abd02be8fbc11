/**
 * Which profile a registry gets: the configured kind (`registries.<host>.kind`), else one learned from its first
 * answers (headers, the token realm its challenge named), else the one its host name says.
 */
import { kindFromAnswer, kindFromHost, registryProfile, type RegistryKind, type RegistryProfile } from './registry-profile.js';

export interface KindLearner {
  profileOf(registry: string): RegistryProfile;
  /** Learns from an answer's headers and, once a challenge named one, the token realm. */
  learn(registry: string, headers: { get(name: string): string | null }, realm: string | null): void;
}

export function createKindLearner(configured: Readonly<Record<string, RegistryKind>>): KindLearner {
  const learned = new Map<string, RegistryKind>();
  return {
    profileOf: (registry) => registryProfile(configured[registry] ?? learned.get(registry) ?? kindFromHost(registry)),
    learn(registry, headers, realm) {
      // Only a registry whose kind is neither configured nor known from its host name is guessed at.
      if (configured[registry] !== undefined || learned.has(registry) || kindFromHost(registry) !== 'distribution') return;
      const kind = kindFromAnswer(headers, realm);
      if (kind !== null) learned.set(registry, kind);
    },
  };
}
