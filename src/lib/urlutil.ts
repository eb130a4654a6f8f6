/** docker's pkg/urlutil, which the CLI and the builder both use to tell a build context's kind. */

/** urlutil.IsURL. */
export function isUrl(text: string): boolean {
  return text.startsWith('http://') || text.startsWith('https://');
}

/** urlutil.IsGitURL. */
export function isGitUrl(text: string): boolean {
  return (isUrl(text) && /\.git(?:#.+)?$/.test(text)) || ['git://', 'github.com/', 'git@'].some((prefix) => text.startsWith(prefix));
}
