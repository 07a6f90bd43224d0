// The files a configuration names (`originate-mrt`, plugin manifests, object folders, extra
// configuration): resolved against the config file's directory and checked to be there, so that a file
// that is missing is a configuration error with its key path, not a failure at run time.
import { accessSync, statSync, constants as fsConstants } from 'node:fs';
import { resolve } from 'node:path';

/** The absolute path of `name` (relative names are from `baseDir`, the config file's directory). */
export function configPath(baseDir: string, name: string): string {
  return resolve(baseDir, name);
}

/** Why `file` cannot be read as a regular file, or undefined when it can. */
export function unreadableFile(file: string): string | undefined {
  return unusable(file, 'file');
}

/** Why `dir` cannot be listed as a directory, or undefined when it can. */
export function unreadableDirectory(dir: string): string | undefined {
  return unusable(dir, 'directory');
}

function unusable(path: string, kind: 'file' | 'directory'): string | undefined {
  try {
    const st = statSync(path);
    if (kind === 'file' ? !st.isFile() : !st.isDirectory())
      return `not a ${kind === 'file' ? 'regular file' : 'directory'}`;
    accessSync(path, kind === 'file' ? fsConstants.R_OK : fsConstants.R_OK | fsConstants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no such ${kind}` : code === 'EACCES' ? 'not readable' : String(code ?? err);
  }
}

/** The message for a path that cannot be used: the name as written and where relative names start. */
export function pathProblem(name: string, problem: string): string {
  return `'${name}': ${problem} (a relative path is from the config file's directory)`;
}
