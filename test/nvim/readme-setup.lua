-- Runs the README's Neovim setup as written (AB_SNIPPET, extracted by test/lsp/nvim.test.ts), with
-- `async-boundary` on PATH as `npm link` would put it: open a fixture, wait for the diagnostic, then
-- run both server commands. A command that opened a prompt would block here until the test's timeout.
local snippet, file = os.getenv('AB_SNIPPET'), os.getenv('AB_FILE')

local function fail(msg)
  io.stderr:write('nvim readme setup: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

vim.cmd('filetype on')
dofile(snippet)
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()

if not vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 10) then
  fail('no diagnostics within 20 s (filetype ' .. vim.bo.filetype .. ')')
end
local diag = vim.diagnostic.get(bufnr)[1]
if diag.code ~= 'blocking-in-async' or diag.lnum ~= 3 then fail('unexpected diagnostic: ' .. vim.inspect(diag)) end

local client = vim.lsp.get_active_clients()[1]
if not client or client.name ~= 'async-boundary' then fail('no async-boundary client: ' .. vim.inspect(client)) end
local scan = client.request_sync('workspace/executeCommand', { command = 'asyncBoundary.scanWorkspace' }, 20000, bufnr)
if not scan or scan.err or not scan.result or scan.result.files ~= 1 or scan.result.findings ~= 1 then
  fail('scan: ' .. vim.inspect(scan))
end
local docs = client.request_sync('workspace/executeCommand', { command = 'asyncBoundary.openRuleDocs', arguments = { 'blocking-in-async' } }, 20000, bufnr)
if not docs or docs.err or type(docs.result) ~= 'string' or not docs.result:find('blocking-in-async', 1, true) then
  fail('docs: ' .. vim.inspect(docs))
end
-- Let the server's showMessage notifications arrive: a request among them would open a prompt now.
vim.wait(300)
io.stdout:write('nvim readme setup: ok\n')
vim.cmd('qa!')
