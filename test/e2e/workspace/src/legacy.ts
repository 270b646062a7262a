import fs from 'node:fs';

export async function loadTemplate(name: string): Promise<string> {
  return fs.readFileSync(`templates/${name}.html`, 'utf8');
}
