using Appliance.Host.Cli;

return await ApplianceCli.RunAsync(args).ConfigureAwait(false);
