-- Loads the README's Neovim setup (AB_SNIPPET) on a Neovim without `vim.lsp.config` (Debian's 0.7.2),
-- with `vim.lsp.config` and `vim.lsp.enable` stood in for the 0.11 API, so the 0.11 branch runs:
-- it must call them with a server name, a `cmd` that starts our server, the filetypes, root
-- markers and settings, and must not fall through to the 0.7 branch.
local snippet = os.getenv('AB_SNIPPET')

local function fail(msg)
  io.stderr:write('nvim readme setup (vim.lsp.config): ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local configured, enabled = {}, {}
vim.lsp.config = function(name, cfg) configured[name] = cfg end
vim.lsp.enable = function(name) table.insert(enabled, name) end
local started = false
local start_client = vim.lsp.start_client
vim.lsp.start_client = function(...) started = true; return start_client(...) end

local ok, err = pcall(dofile, snippet)
if not ok then fail('the block does not load: ' .. tostring(err)) end
local cfg = configured[enabled[1]]
if #enabled ~= 1 or not cfg then fail('vim.lsp.enable(' .. vim.inspect(enabled) .. ') does not name a configured server: ' .. vim.inspect(configured)) end
if vim.inspect(cfg.cmd) ~= vim.inspect({ 'async-boundary', 'lsp', '--stdio' }) then fail('cmd: ' .. vim.inspect(cfg.cmd)) end
for _, ft in ipairs({ 'typescript', 'javascript', 'rust', 'python', 'go', 'java' }) do
  if not vim.tbl_contains(cfg.filetypes or {}, ft) then fail('filetypes (no ' .. ft .. '): ' .. vim.inspect(cfg.filetypes)) end
end
if not vim.tbl_contains(cfg.root_markers or {}, '.async-boundary.json') then fail('root_markers: ' .. vim.inspect(cfg.root_markers)) end
if type(cfg.settings) ~= 'table' or type(cfg.settings.asyncBoundary) ~= 'table' then fail('settings: ' .. vim.inspect(cfg.settings)) end
-- The 0.7 branch registers a FileType autocommand that starts clients; it must not have run.
vim.cmd('filetype on')
vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('AB_FILE')))
if vim.bo.filetype ~= 'typescript' then fail('filetype: ' .. vim.bo.filetype) end
if started then fail('the 0.7 branch ran as well') end
io.stdout:write('nvim readme setup (vim.lsp.config): ok\n')
vim.cmd('qa!')
