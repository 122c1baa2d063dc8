Console.WriteLine("appliance benchmarks: no scenarios yet");
